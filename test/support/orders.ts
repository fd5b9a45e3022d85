import type { OrderRequest } from "../../src/orders/order-service.js";

/** A sandbox DV order for www.example.com, as the order form would submit it; override what a test needs. */
export function orderRequest(clientId: number, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientId,
    providerId: "sandbox",
    productId: "positivessl",
    periodMonths: 12,
    serverTypeId: "apache",
    dcvMethod: "email",
    approverEmail: "admin@example.com",
    primaryDomain: "www.example.com",
    sans: [],
    addonIds: [],
    organisation: { name: "Acme Limited", country: "GB" },
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@example.com",
      phone: "+44 20 7946 0000",
      title: "",
    },
    requestedBy: "U0ANN",
    idempotencyKey: "order-1",
    ...overrides,
  };
}

import type { Database } from "../../src/db/client.js";
import type { ClientInput } from "../../src/domain/client.js";
import { type Client, createClient } from "../../src/orders/clients.js";

/** The client most order tests use: Acme Ltd in London with one default contact, Jane Doe. */
export async function createAcmeClient(db: Database, overrides: Partial<ClientInput> = {}): Promise<Client> {
  const created = await createClient(db, {
    name: "Acme Ltd",
    organisation: "Acme Limited",
    city: "London",
    state: "Greater London",
    country: "GB",
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@acme.example.com",
      phone: "+44 20 7946 0000",
      title: "CTO",
    },
    ...overrides,
  });
  if (!created.ok) throw new Error(`client fixture refused: ${JSON.stringify(created.errors)}`);
  return created.value;
}

import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { acmeAccounts, orders, sandboxAuthority } from "./schema.js";

/** A text column holding vault ciphertext (`v1.<keyId>.…`), and the primary key that addresses its rows. */
export interface EncryptedColumn {
  table: PgTable;
  id: PgColumn;
  encrypted: PgColumn;
}

/**
 * Every column that stores vault ciphertext. Key rotation (`npm run rotate-key`) re-encrypts exactly
 * these, so a new encrypted column must be added here or it keeps its old key forever.
 */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: orders, id: orders.id, encrypted: orders.encryptedPrivateKey },
  { table: sandboxAuthority, id: sandboxAuthority.id, encrypted: sandboxAuthority.encryptedPrivateKey },
  // The ACME account key: losing it to a rotation would lose the account (its orders, its limits).
  { table: acmeAccounts, id: acmeAccounts.directoryUrl, encrypted: acmeAccounts.encryptedAccountKey },
];

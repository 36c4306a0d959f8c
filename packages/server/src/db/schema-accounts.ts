/**
 * Tables of self-service accounts (migration 0007): the mail outbox, the single-use tokens behind mailed links
 * (stored as SHA-256 hashes only) and invitations.
 */

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface MailOutboxTable {
  id: string;
  tenant_id: string | null;
  /** The template name (`password_reset`), for logs and metrics. */
  template: string;
  recipient: string;
  subject: string;
  /** Rendered at enqueue time; emptied once sent, so a link's token does not outlive its delivery. */
  text_body: string;
  html_body: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  /** The sender (instance) holding the row, and until when: a crashed sender's claim lapses. */
  claimed_by: string | null;
  claimed_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export type AccountTokenPurpose = 'password_reset' | 'email_verification' | 'email_change' | 'registration';

export interface AccountTokensTable {
  token_hash: string;
  /** A non-secret id, for audit events. */
  id: string;
  tenant_id: string;
  purpose: AccountTokenPurpose;
  user_id: string | null;
  /** The address the link was mailed to (the new one for an email change). */
  email: string | null;
  /** JSON: what the purpose needs (a registration's names and password hash). */
  data: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface InvitationsTable {
  id: string;
  tenant_id: string;
  email: string;
  email_normalized: string;
  first_name: string | null;
  last_name: string | null;
  role: string | null;
  token_hash: string;
  invited_by: string | null;
  created_at: number;
  sent_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_user_id: string | null;
  revoked_at: number | null;
}

export interface AccountTables {
  mail_outbox: MailOutboxTable;
  account_tokens: AccountTokensTable;
  invitations: InvitationsTable;
}

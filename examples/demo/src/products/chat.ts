/**
 * Seed 001's chat product: `/v1/auth/*` with the `{"data": …}` envelope, on plain `node:http`. Participants and
 * personal workspaces live in this product's own storage (a Map here), created once per principal.
 */
import { randomUUID } from 'node:crypto';
import { chatAuthRoutes, createIdpClient, createVerifier, nodeListener } from '@latchkey/relying-party';
import type { Participant, Principal } from '@latchkey/relying-party';
import { listen } from '../serve.ts';
import type { RunningProduct } from '../serve.ts';

export interface ChatOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly port: number;
}

export async function startChat(options: ChatOptions): Promise<RunningProduct> {
  const verifier = createVerifier({ issuer: options.issuer, audience: options.clientId });
  const idp = createIdpClient(verifier.discovery, { clientId: options.clientId, clientSecret: options.clientSecret });
  const participants = new Map<string, Participant>();
  const register = async (principal: Principal): Promise<Participant> => {
    const key = `${principal.tenant_id}/${principal.sub}`;
    let participant = participants.get(key);
    if (!participant) {
      const name = principal.claims.preferred_username ?? principal.email ?? principal.sub;
      participant = { participant_id: randomUUID(), display_name: String(name), personal_workspace_id: `ws-${randomUUID()}` };
      participants.set(key, participant);
    }
    return participant;
  };
  const routes = chatAuthRoutes({ idp, verifier, redirectUri: `http://127.0.0.1:${options.port}/v1/auth/login`, register });
  return listen(nodeListener(routes), options.port);
}

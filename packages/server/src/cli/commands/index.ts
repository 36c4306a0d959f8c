import type { Command } from '../command.ts';
import { adminCommand } from './admin.ts';
import { apikeyCommand } from './apikey.ts';
import { auditCommand } from './audit.ts';
import { brandingCommand } from './branding.ts';
import { clientCommand } from './client.ts';
import { connectionCommand } from './connection.ts';
import { groupCommand } from './group.ts';
import { partnerCommand } from './partner.ts';
import { roleCommand } from './role.ts';
import { resourceCommand } from './resource.ts';
import { registrationCommand } from './registration.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { keysCommand } from './keys.ts';
import { serveCommand } from './serve.ts';
import { tenantCommand } from './tenant.ts';
import { userCommand } from './user.ts';
import { mfaCommand } from './mfa.ts';
import { invitationCommand } from './invitation.ts';

/** Every `latchkey` command. Add one: a file in this folder and one entry here. */
export const commands: readonly Command[] = [
  serveCommand,
  tenantCommand,
  clientCommand,
  keysCommand,
  userCommand,
  mfaCommand,
  invitationCommand,
  partnerCommand,
  groupCommand,
  roleCommand,
  apikeyCommand,
  resourceCommand,
  registrationCommand,
  adminCommand,
  auditCommand,
  connectionCommand,
  exportCommand,
  importCommand,
  brandingCommand,
];

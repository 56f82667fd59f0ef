import { forbidden } from '../platform/errors.ts';

export const USER_ROLES = ['admin', 'cx_manager', 'account_manager', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * Every permission a route or a service can ask for. Later domains add theirs here, so that the
 * whole access model reads in one place.
 */
export const PERMISSIONS = [
  'users:manage', // create users, change roles, disable, reset passwords
  'tokens:manage-all', // see and revoke every user's API tokens
  'audit:read',
  'jobs:read',
  'jobs:manage',
  'settings:manage',
  'data:read', // directory, accounts, surveys, responses, dashboards
  'data:write', // imports, mappings, surveys, distributions, workflows
  'tickets:work', // change a ticket's status and add notes (account managers: on the tickets they see)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<UserRole, readonly Permission[]> = {
  admin: PERMISSIONS,
  cx_manager: ['data:read', 'data:write', 'jobs:read', 'tickets:work'],
  // Account managers read and act on their own accounts; the scoping is applied by each domain.
  account_manager: ['data:read', 'tickets:work'],
  viewer: ['data:read'],
};

export const ROLE_LABELS: Record<UserRole, string> = {
  admin: 'Administrator',
  cx_manager: 'CX manager',
  account_manager: 'Account manager',
  viewer: 'Viewer',
};

export function roleHasPermission(role: UserRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function permissionsOf(role: UserRole): Permission[] {
  return [...ROLE_PERMISSIONS[role]];
}

/** The one identity every service call carries. */
export type Actor =
  | {
      kind: 'user';
      userId: number;
      email: string;
      name: string;
      role: UserRole;
      via: 'session' | 'token' | 'cli';
      tokenId?: number;
      ip?: string;
    }
  | { kind: 'system'; label: string };

export const systemActor = (label: string): Actor => ({ kind: 'system', label });

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? `${actor.email} (${actor.via})` : `system:${actor.label}`;
}

export function authorize(actor: Actor, permission: Permission): void {
  if (actor.kind === 'system') return;
  if (!roleHasPermission(actor.role, permission)) {
    throw forbidden(`Your role (${ROLE_LABELS[actor.role]}) does not allow this action (${permission}).`);
  }
}

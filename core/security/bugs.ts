// Seeded bugs of the authorizer, each caught by the unauthorized-access checker.

export const SECURITY_BUGS = {
  'deny-not-checked':
    'the authorizer looks only at ALLOW ACLs: a DENY (User:intruder on everything) never refuses a request that an ALLOW for every user (User:*) lets through',
} as const;

export type SecurityBug = keyof typeof SECURITY_BUGS;

// Kafka's StandardAuthorizer: whether a session may perform an operation on a resource, from the
// ACLs in the metadata image, super.users and allow.everyone.if.no.acl.found. Any matching DENY
// wins; then any matching ALLOW (or one that implies the operation); a resource no ACL names is
// open only if allow.everyone.if.no.acl.found says so.

import type { Config } from '../protocol/configs.ts';
import { AclOperation, AclPermission, PatternType, WILDCARD, type AclBinding, type ResourceType } from './acl.ts';
import type { SecurityBug } from './bugs.ts';
import { parseSuperUsers, type Session } from './session.ts';

export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** The ACLs an authorizer reads: the metadata image's, as of now. */
export type AclSource = () => Iterable<AclBinding>;

/** An ALLOW of these operations also allows DESCRIBE (Kafka's implied operations). */
const IMPLIES_DESCRIBE: ReadonlySet<AclOperation> = new Set([AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]);

export class Authorizer {
  readonly superUsers: ReadonlySet<string>;
  readonly allowEveryoneIfNoAclFound: boolean;

  constructor(
    config: Config,
    private readonly acls: AclSource,
    private readonly bugs: ReadonlySet<SecurityBug> = new Set(),
  ) {
    this.superUsers = parseSuperUsers(config.string('super.users'));
    this.allowEveryoneIfNoAclFound = config.bool('allow.everyone.if.no.acl.found');
  }

  /** The authorizer a broker config asks for (authorizer.class.name), or null when it names none. */
  static fromConfig(config: Config, acls: AclSource, bugs: ReadonlySet<SecurityBug> = new Set()): Authorizer | null {
    return config.string('authorizer.class.name') === STANDARD_AUTHORIZER ? new Authorizer(config, acls, bugs) : null;
  }

  /** Whether `session` may perform `operation` on the resource (type, name). */
  authorize(session: Session, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    if (this.superUsers.has(session.principal)) return true;
    let resourceNamed = false;
    let allowed = false;
    for (const acl of this.acls()) {
      if (acl.resourceType !== resourceType || !this.patternMatches(acl, resourceName)) continue;
      resourceNamed = true;
      if (!principalMatches(acl, session) || (acl.host !== WILDCARD && acl.host !== session.host)) continue;
      if (acl.permission === AclPermission.DENY) {
        if (this.bugs.has('deny-not-checked')) continue;
        if (acl.operation === AclOperation.ALL || acl.operation === operation) return false;
      } else if (acl.permission === AclPermission.ALLOW && allows(acl.operation, operation)) {
        allowed = true;
      }
    }
    return allowed || (!resourceNamed && this.allowEveryoneIfNoAclFound);
  }

  /**
   * Whether `session` may perform `operation` on some resource of this type: Kafka's
   * authorizeByResourceType, which InitProducerId uses (idempotence needs WRITE on any topic). As
   * Kafka's default implementation: first an ordinary check on a name no ACL is likely to name (so
   * super.users and allow.everyone.if.no.acl.found count); then, over the session's ACLs of exactly
   * this operation or ALL (nothing implied), a literal DENY of `*` refuses, a literal `*` ALLOW
   * grants, and otherwise some ALLOW must survive its DENYs: a literal ALLOW is cancelled by a
   * literal DENY of the same name, any ALLOW by a prefixed DENY of a prefix of its name.
   */
  authorizeAny(session: Session, operation: AclOperation, resourceType: ResourceType): boolean {
    if (this.authorize(session, operation, resourceType, 'hardcode')) return true;
    const deniedLiterals = new Set<string>();
    const deniedPrefixes = new Set<string>();
    const allowed: AclBinding[] = [];
    let wildcardAllowed = false;
    for (const acl of this.acls()) {
      if (acl.resourceType !== resourceType || !principalMatches(acl, session) || (acl.host !== WILDCARD && acl.host !== session.host)) continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      const literal = acl.patternType === PatternType.LITERAL;
      if (acl.permission === AclPermission.DENY) {
        if (this.bugs.has('deny-not-checked')) continue;
        if (literal && acl.resourceName === WILDCARD) return false;
        (literal ? deniedLiterals : deniedPrefixes).add(acl.resourceName);
      } else if (acl.permission === AclPermission.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) wildcardAllowed = true;
        else if (literal || acl.patternType === PatternType.PREFIXED) allowed.push(acl);
      }
    }
    if (wildcardAllowed) return true;
    return allowed.some((acl) => {
      if (acl.patternType === PatternType.LITERAL && deniedLiterals.has(acl.resourceName)) return false;
      for (let end = 1; end <= acl.resourceName.length; end++) if (deniedPrefixes.has(acl.resourceName.slice(0, end))) return false;
      return true;
    });
  }

  private patternMatches(acl: AclBinding, name: string): boolean {
    if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
    return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
  }
}

function principalMatches(acl: AclBinding, session: Session): boolean {
  return acl.principal === session.principal || acl.principal === 'User:*';
}

/** Whether an ALLOW of `granted` allows `wanted`: the same operation, ALL, or an implied DESCRIBE / DESCRIBE_CONFIGS. */
function allows(granted: AclOperation, wanted: AclOperation): boolean {
  if (granted === AclOperation.ALL || granted === wanted) return true;
  if (wanted === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(granted);
  return wanted === AclOperation.DESCRIBE_CONFIGS && granted === AclOperation.ALTER_CONFIGS;
}

// Shared by the security tests: a metadata image holding the ACLs given (fields not given: alice may READ topic orders).

import { MetadataImage } from '../../../core/controller/image.ts';
import { AclOperation as Op, AclPermission, PatternType, ResourceType, type AclBinding } from '../../../core/security/acl.ts';

let nextId = 0;
export function imageWithAcls(acls: Array<Partial<AclBinding>>, image = new MetadataImage()): MetadataImage {
  for (const a of acls)
    image.apply({
      type: 'AccessControlEntryRecord',
      id: `acl-${nextId++}`,
      resourceType: ResourceType.TOPIC,
      resourceName: 'orders',
      patternType: PatternType.LITERAL,
      principal: 'User:alice',
      host: '*',
      operation: Op.READ,
      permission: AclPermission.ALLOW,
      ...a,
    });
  return image;
}

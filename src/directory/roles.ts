/** A contact's role in a customer account (the seed's client roles). */
export const CLIENT_ROLES = [
  'DECISION_MAKER',
  'INFLUENCER',
  'PROCUREMENT_FINANCE_PERSON',
  'PROGRAM_MANAGER',
  'EXECUTIVE_SPONSOR',
  'END_USER',
  'ACCOUNT_MEMBER',
] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** An employee's role on a customer account's team (the seed's account management roles). */
export const TEAM_ROLES = [
  'ACCOUNT_EXECUTIVE',
  'ACCOUNT_OWNER',
  'CUSTOMER_SUCCESS_MANAGER',
  'TECHNICAL_SALES_PROFESSIONAL',
  'SALES_ENGINEER',
  'CUSTOMER_SUPPORT_PROFESSIONAL',
  'OTHER_ACCOUNT_TEAM_MEMBER',
] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const ATTRIBUTE_TYPES = ['integer', 'decimal', 'string', 'enum', 'datetime', 'boolean'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const DIRECTORY_ENTITIES = ['contact', 'account'] as const;
export type DirectoryEntity = (typeof DIRECTORY_ENTITIES)[number];

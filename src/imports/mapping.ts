import { z } from 'zod';
import { ATTRIBUTE_TYPES, CLIENT_ROLES, TEAM_ROLES } from '../directory/roles.ts';

/** The three Salesforce-shaped objects an import reads. */
export const IMPORT_OBJECTS = ['accounts', 'contacts', 'teamMembers'] as const;
export type ImportObject = (typeof IMPORT_OBJECTS)[number];

/** Directory fields each object can fill, and which must be present. */
export const TARGET_FIELDS = {
  accounts: {
    externalRef: { required: true, type: 'text' },
    displayName: { required: true, type: 'text' },
    parentExternalRef: { required: false, type: 'text' },
    isDeleted: { required: false, type: 'boolean' },
  },
  contacts: {
    externalRef: { required: false, type: 'text' },
    firstName: { required: false, type: 'text' },
    lastName: { required: false, type: 'text' },
    email: { required: false, type: 'email' },
    phone: { required: false, type: 'phone' },
    mobilePhone: { required: false, type: 'phone' },
    language: { required: false, type: 'text' },
    title: { required: false, type: 'text' },
    accountExternalRef: { required: false, type: 'text' },
    isDeleted: { required: false, type: 'boolean' },
    emailOptOut: { required: false, type: 'boolean' },
    smsOptOut: { required: false, type: 'boolean' },
    doNotCall: { required: false, type: 'boolean' },
    faxOptOut: { required: false, type: 'boolean' },
    emailBouncedReason: { required: false, type: 'text' },
    consent: { required: false, type: 'boolean' },
  },
  teamMembers: {
    accountExternalRef: { required: true, type: 'text' },
    userEmail: { required: true, type: 'email' },
    role: { required: true, type: 'text' },
    isDeleted: { required: false, type: 'boolean' },
  },
} as const satisfies Record<ImportObject, Record<string, { required: boolean; type: string }>>;

export type TargetField<O extends ImportObject> = keyof (typeof TARGET_FIELDS)[O];

/**
 * Salesforce compound fields: they arrive as one structured value that a directory field cannot
 * hold. Their components (BillingCity, MailingPostalCode, Location__Latitude__s …) can be mapped.
 */
export const COMPOUND_FIELDS = [
  'BillingAddress',
  'ShippingAddress',
  'MailingAddress',
  'OtherAddress',
  'Address',
  'Name.compound',
];

export const compoundFieldMessage = (field: string) =>
  `${field} is a Salesforce compound field: compound fields cannot be imported. Map its components instead ` +
  '(for an address: Street, City, State, PostalCode, Country; for a geolocation: __Latitude__s and __Longitude__s).';

const ZSources = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

const ZAttributeName = z
  .string()
  .trim()
  .min(1)
  .max(200, { error: 'Attribute names are limited to 200 characters' })
  .regex(/^[^.$]/, { error: 'Attribute names cannot start with "." or "$"' });

export const ZAttributeMapping = z
  .object({
    source: z.string().min(1),
    name: ZAttributeName,
    type: z.enum(ATTRIBUTE_TYPES),
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((a) => a.type !== 'enum' || a.values, { error: 'An enum attribute needs its list of `values`' });
export type AttributeMapping = z.output<typeof ZAttributeMapping>;

const objectMapping = <O extends ImportObject>(object: O) =>
  z.object({
    fields: z
      .partialRecord(z.enum(Object.keys(TARGET_FIELDS[object]) as [string, ...string[]]), ZSources)
      .default({}),
    attributes: z.array(ZAttributeMapping).default([]),
    /** Columns ending in __c that no mapping names: import them as string attributes, or ignore them. */
    unmappedCustomFields: z.enum(['string-attribute', 'ignore']).default('ignore'),
  });

/** A value table: source value (case-insensitive; `*` matches any text) → role. */
const valueTable = <R extends readonly [string, ...string[]]>(roles: R) =>
  z.object({
    values: z.record(z.string().min(1), z.enum(roles)).default({}),
    /** Role for a value the table does not list; null = no role (reported as a warning). */
    default: z.enum(roles).nullable().default(null),
  });

export const ZMapping = z.object({
  version: z.literal(1).default(1),
  accounts: objectMapping('accounts').default({ fields: {}, attributes: [], unmappedCustomFields: 'ignore' }),
  contacts: objectMapping('contacts').default({ fields: {}, attributes: [], unmappedCustomFields: 'ignore' }),
  teamMembers: objectMapping('teamMembers').default({
    fields: {},
    attributes: [],
    unmappedCustomFields: 'ignore',
  }),
  clientRoles: valueTable(CLIENT_ROLES).default({ values: {}, default: null }),
  teamRoles: valueTable(TEAM_ROLES).default({ values: {}, default: null }),
  /** ISO country for phone numbers without a +country prefix (e.g. "US", "FR"). */
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: 'Expected a two-letter ISO country code such as "US"' })
    .nullable()
    .default(null),
});
export type Mapping = z.output<typeof ZMapping>;
export type MappingInput = z.input<typeof ZMapping>;

/** Every problem with a mapping, as `path: message` lines, before any file is read. */
export function checkMapping(mapping: Mapping): string[] {
  const problems: string[] = [];
  for (const object of IMPORT_OBJECTS) {
    const m = mapping[object];
    for (const [target, sources] of Object.entries(m.fields)) {
      for (const source of sources ?? []) {
        if (COMPOUND_FIELDS.includes(source))
          problems.push(`${object}.fields.${target}: ${compoundFieldMessage(source)}`);
      }
    }
    const names = new Set<string>();
    for (const [i, a] of m.attributes.entries()) {
      if (COMPOUND_FIELDS.includes(a.source))
        problems.push(`${object}.attributes[${i}]: ${compoundFieldMessage(a.source)}`);
      const key = a.name.toLowerCase();
      if (names.has(key))
        problems.push(`${object}.attributes[${i}]: the attribute "${a.name}" is mapped twice`);
      names.add(key);
    }
  }
  return problems;
}

/** The seed's Salesforce field mapping, with sensible value tables for Titles and team roles. */
export const DEFAULT_MAPPING: MappingInput = {
  version: 1,
  accounts: {
    fields: {
      externalRef: ['Id'],
      displayName: ['Name'],
      parentExternalRef: ['Parent.Id', 'ParentId'],
      isDeleted: ['IsDeleted'],
    },
    unmappedCustomFields: 'string-attribute',
  },
  contacts: {
    fields: {
      externalRef: ['Id'],
      firstName: ['FirstName'],
      lastName: ['LastName'],
      email: ['Email'],
      phone: ['Phone'],
      mobilePhone: ['MobilePhone'],
      language: ['Language', 'Language__c'],
      title: ['Title'],
      accountExternalRef: ['Account.Id', 'AccountId'],
      isDeleted: ['IsDeleted'],
      emailOptOut: ['HasOptedOutOfEmail'],
      faxOptOut: ['HasOptedOutOfFax'],
      doNotCall: ['DoNotCall'],
      emailBouncedReason: ['EmailBouncedReason'],
    },
    unmappedCustomFields: 'string-attribute',
  },
  teamMembers: {
    fields: {
      accountExternalRef: ['Account.Id', 'AccountId'],
      userEmail: ['User.Email', 'UserEmail'],
      role: ['TeamMemberRole'],
      isDeleted: ['IsDeleted'],
    },
  },
  clientRoles: {
    values: {
      ...Object.fromEntries(CLIENT_ROLES.map((r) => [r, r])),
      CEO: 'EXECUTIVE_SPONSOR',
      'Chief Executive Officer': 'EXECUTIVE_SPONSOR',
      President: 'EXECUTIVE_SPONSOR',
      Founder: 'EXECUTIVE_SPONSOR',
      'Co-Founder': 'EXECUTIVE_SPONSOR',
      Owner: 'EXECUTIVE_SPONSOR',
      'Managing Director': 'EXECUTIVE_SPONSOR',
      'Executive Sponsor': 'EXECUTIVE_SPONSOR',
      CFO: 'PROCUREMENT_FINANCE_PERSON',
      'Chief Financial Officer': 'PROCUREMENT_FINANCE_PERSON',
      '*Procurement*': 'PROCUREMENT_FINANCE_PERSON',
      '*Purchasing*': 'PROCUREMENT_FINANCE_PERSON',
      Buyer: 'PROCUREMENT_FINANCE_PERSON',
      Controller: 'PROCUREMENT_FINANCE_PERSON',
      '*Finance*': 'PROCUREMENT_FINANCE_PERSON',
      CIO: 'DECISION_MAKER',
      CTO: 'DECISION_MAKER',
      COO: 'DECISION_MAKER',
      CMO: 'DECISION_MAKER',
      'Chief * Officer': 'DECISION_MAKER',
      'VP*': 'DECISION_MAKER',
      'Vice President*': 'DECISION_MAKER',
      'SVP*': 'DECISION_MAKER',
      'EVP*': 'DECISION_MAKER',
      'Director*': 'DECISION_MAKER',
      '*Director': 'DECISION_MAKER',
      'Head of*': 'DECISION_MAKER',
      'General Manager': 'DECISION_MAKER',
      'Sales Manager': 'DECISION_MAKER',
      '*Program Manager*': 'PROGRAM_MANAGER',
      '*Programme Manager*': 'PROGRAM_MANAGER',
      '*Project Manager*': 'PROGRAM_MANAGER',
      '*Manager': 'INFLUENCER',
      '*Architect': 'INFLUENCER',
      '*Lead': 'INFLUENCER',
      '*Consultant': 'INFLUENCER',
      '*Analyst': 'END_USER',
      '*Engineer': 'END_USER',
      '*Developer': 'END_USER',
      '*Specialist': 'END_USER',
      '*Coordinator': 'END_USER',
      '*Administrator': 'END_USER',
      '*Associate': 'END_USER',
      '*Assistant': 'END_USER',
      'End User': 'END_USER',
    },
    default: null,
  },
  teamRoles: {
    values: {
      ...Object.fromEntries(TEAM_ROLES.map((r) => [r, r])),
      'Account Manager': 'ACCOUNT_OWNER',
      'Account Owner': 'ACCOUNT_OWNER',
      'Account Executive': 'ACCOUNT_EXECUTIVE',
      'Sales Rep': 'ACCOUNT_EXECUTIVE',
      'Sales Manager': 'ACCOUNT_EXECUTIVE',
      'Customer Success Manager': 'CUSTOMER_SUCCESS_MANAGER',
      CSM: 'CUSTOMER_SUCCESS_MANAGER',
      'Technical Sales': 'TECHNICAL_SALES_PROFESSIONAL',
      'Pre-Sales Consultant': 'TECHNICAL_SALES_PROFESSIONAL',
      'Sales Engineer': 'SALES_ENGINEER',
      'Solutions Engineer': 'SALES_ENGINEER',
      'Customer Support': 'CUSTOMER_SUPPORT_PROFESSIONAL',
      'Support Engineer': 'CUSTOMER_SUPPORT_PROFESSIONAL',
      'Support Representative': 'CUSTOMER_SUPPORT_PROFESSIONAL',
      'Channel Manager': 'OTHER_ACCOUNT_TEAM_MEMBER',
      'Executive Sponsor': 'OTHER_ACCOUNT_TEAM_MEMBER',
      'Lead Qualifier': 'OTHER_ACCOUNT_TEAM_MEMBER',
    },
    default: 'OTHER_ACCOUNT_TEAM_MEMBER',
  },
  defaultCountry: null,
};

export function parseMapping(input: unknown): Mapping {
  return ZMapping.parse(input);
}

import type { EmulatorStore } from './emulator-store.ts';

/**
 * A large org for volume tests: `accounts` accounts (every tenth under a parent, to give a
 * hierarchy), `contactsPerAccount` contacts each, and `teamPerAccount` team members drawn from a
 * pool of users. Deterministic: the same sizes give the same names, titles and emails.
 */

export interface GenerateOrgOptions {
  accounts: number;
  contactsPerAccount: number;
  teamPerAccount: number;
  /** Users to draw team members from (default: teamPerAccount × 4, at least 4). */
  users?: number;
  /** Seed of the pseudo-random choices (default 1). */
  seed?: number;
}

export interface GeneratedOrg {
  userIds: string[];
  accountIds: string[];
  contactIds: string[];
  teamMemberIds: string[];
}

const FIRST_NAMES = [
  'Ada',
  'Bruno',
  'Chiara',
  'Diego',
  'Elena',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Keira',
  'Luca',
  'Mara',
  'Noah',
  'Olga',
  'Pavel',
];
const LAST_NAMES = [
  'Rossi',
  'Martin',
  'García',
  'Schmidt',
  'Dubois',
  'Nakamura',
  'Okafor',
  'Novak',
  'Silva',
  'Kowalski',
  'Berg',
  'Costa',
];
const TITLES = [
  'Chief Executive Officer',
  'VP Operations',
  'Procurement Manager',
  'IT Director',
  'Program Manager',
  'Sales Manager',
  'Marketing Manager',
  'Analyst',
  'Finance Director',
  'End User',
];
const ROLES = [
  'Account Manager',
  'Customer Success Manager',
  'Sales Rep',
  'Pre-Sales Consultant',
  'Technical Sales Manager',
  'Executive Sponsor',
  'Support Engineer',
];
const INDUSTRIES = [
  'Retail',
  'Apparel',
  'Technology',
  'Consulting',
  'Manufacturing',
  'Healthcare',
  'Finance',
];
const TIERS = ['Platinum', 'Gold', 'Silver', 'Bronze'];

/** mulberry32: small, fast and good enough to vary test data reproducibly. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function generateOrg(store: EmulatorStore, options: GenerateOrgOptions): GeneratedOrg {
  const next = random(options.seed ?? 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const userCount = options.users ?? Math.max(4, options.teamPerAccount * 4);
  const userIds: string[] = [];
  for (let u = 0; u < userCount; u++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const login = `user${u + 1}.${first.toLowerCase()}`;
    userIds.push(
      store.addUser({
        username: `${login}@cloudkicks.example.com`,
        password: 'Generated-User-1',
        firstName: first,
        lastName: last,
        email: `${login}@cloudkicks.example.com`,
      }),
    );
  }

  const accountIds: string[] = [];
  const contactIds: string[] = [];
  const teamMemberIds: string[] = [];
  for (let a = 0; a < options.accounts; a++) {
    const number = String(a + 1).padStart(6, '0');
    const parent = a % 10 !== 0 && accountIds.length > 0 ? accountIds[a - (a % 10)] : undefined;
    const accountId = store.insert('Account', {
      Name: `Generated Account ${number}`,
      ParentId: parent ?? null,
      Industry: pick(INDUSTRIES),
      AnnualRevenue: Math.round(next() * 50_000_000),
      Tier__c: pick(TIERS),
      Customer_Number__c: `GEN-${number}`,
      BillingCity: 'Springfield',
      BillingCountry: 'United States',
    });
    accountIds.push(accountId);
    for (let c = 0; c < options.contactsPerAccount; c++) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      contactIds.push(
        store.insert('Contact', {
          AccountId: accountId,
          FirstName: first,
          LastName: last,
          Title: pick(TITLES),
          Email: `${first}.${last}.${number}.${c}@generated.example.com`
            .toLowerCase()
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, ''),
          Phone: `+1 555 ${String(a % 1000).padStart(3, '0')} ${String(c).padStart(4, '0')}`,
          HasOptedOutOfEmail: next() < 0.05,
          DoNotCall: next() < 0.05,
        }),
      );
    }
    const members = new Set<string>();
    while (members.size < Math.min(options.teamPerAccount, userIds.length)) members.add(pick(userIds));
    let first = true;
    for (const UserId of members) {
      teamMemberIds.push(
        store.insert('AccountTeamMember', {
          AccountId: accountId,
          UserId,
          TeamMemberRole: first ? 'Account Manager' : pick(ROLES),
        }),
      );
      first = false;
    }
  }
  return { userIds, accountIds, contactIds, teamMemberIds };
}

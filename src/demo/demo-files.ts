import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The demo directory's three Salesforce-shaped exports, generated deterministically: the seeds'
 * own example (Cloud Kicks selling to Get Cloudy Consulting, with Alan Johnson and Leung Chan)
 * plus enough accounts, hierarchy, contacts by role and account teams to make every page useful.
 */

const FIRST = [
  'Alan',
  'Leung',
  'Zoë',
  'Maria',
  'Kenji',
  'Amara',
  'Lukas',
  'Sofia',
  'Noah',
  'Chiara',
  'Mateo',
  'Aisha',
  'Hugo',
  'Ingrid',
  'Ravi',
  'Elena',
  'Tomás',
  'Mei',
  'Oskar',
  'Fatima',
  'Jonas',
  'Lucía',
  'Pierre',
  'Yuki',
];
const LAST = [
  'Johnson',
  'Chan',
  'Łukasiewicz',
  'García',
  'Tanaka',
  'Okafor',
  'Müller',
  'Rossi',
  'Dubois',
  'Bianchi',
  'Fernández',
  'Khan',
  'Moreau',
  'Larsen',
  'Patel',
  'Novak',
  'Silva',
  'Wang',
  'Berg',
  'Haddad',
  'Schmidt',
  'López',
];
/** Titles the default mapping's value table turns into each client role. */
const TITLES = [
  'CEO',
  'CFO',
  'CIO',
  'VP Operations',
  'Director of IT',
  'Procurement Manager',
  'Program Manager',
  'Marketing Manager',
  'Solutions Architect',
  'Business Analyst',
  'Software Engineer',
  'Office Coordinator',
];
const INDUSTRIES = [
  'Retail',
  'Consulting',
  'Manufacturing',
  'Healthcare',
  'Banking',
  'Logistics',
  'Education',
];
const REGIONS = ['North America', 'EMEA', 'APAC', 'LATAM'];
const NAMES = [
  'Northwind',
  'Blue Yonder',
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Hooli',
  'Vandelay',
  'Wonka',
  'Gringotts',
  'Oscorp',
  'Aperture',
  'Massive Dynamic',
  'Pied Piper',
  'Dunder Mifflin',
  'Prestige Worldwide',
  'Sterling Cooper',
  'Bluth',
  'Monarch',
  'Virtucon',
  'Kakapo',
  'Zenith',
  'Lumen',
  'Halcyon',
  'Orbital',
  'Meridian',
  'Alpenglow',
  'Sirocco',
  'Tessera',
  'Quantum Leaf',
  'Riverbend',
  'Solstice',
  'Nimbus',
  'Cobalt',
  'Evergreen',
];
const SUFFIXES = ['Holdings', 'Group', 'Inc.', 'GmbH', 'S.A.', 'SpA', 'Ltd'];
const BRANCHES = ['Europe', 'Americas', 'Asia', 'Lyon', 'Milano', 'Madrid', 'Berlin', 'Tokyo', 'Reno'];
/** Cloud Kicks' own people, who form the account teams. */
const TEAM = [
  ['olivia.owner@cloudkicks.example', 'Account Manager'],
  ['sam.sales@cloudkicks.example', 'Account Executive'],
  ['carla.csm@cloudkicks.example', 'Customer Success Manager'],
  ['ethan.se@cloudkicks.example', 'Sales Engineer'],
  ['tina.support@cloudkicks.example', 'Customer Support'],
  ['omar.owner@cloudkicks.example', 'Account Manager'],
  ['chris.csm@cloudkicks.example', 'CSM'],
];

/** A small deterministic generator (mulberry32): the same demo on every machine. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvCell = (v: string | number | boolean) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number | boolean)[][]) =>
  `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/gi, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

/**
 * Each account's hidden "sentiment" in [0, 1): the demo's answers (demo-feedback.ts computes the
 * same value in SQL) and its churn outcome both follow it, so the churn model has a signal to find.
 */
export function sentimentOf(accountId: string): number {
  return Number.parseInt(createHash('md5').update(accountId).digest('hex').slice(0, 8), 16) / 2 ** 32;
}

/** Seven accounts in ten have a known outcome: churned when their sentiment is low (with exceptions). */
function churnOutcome(accountId: string): string {
  const h =
    Number.parseInt(createHash('md5').update(`o${accountId}`).digest('hex').slice(0, 8), 16) / 2 ** 32;
  if (h >= 0.7) return '';
  const churned = sentimentOf(accountId) < 0.3 ? h < 0.6 : h < 0.08;
  return churned ? 'true' : 'false';
}

export interface DemoFiles {
  accounts: string;
  contacts: string;
  teamMembers: string;
  counts: { accounts: number; contacts: number; teamMembers: number };
}

export function writeDemoFiles(dir: string, topLevelAccounts = 40): DemoFiles {
  mkdirSync(dir, { recursive: true });
  const rand = random(20261123);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const accounts: (string | number | boolean)[][] = [
    [
      'Id',
      'IsDeleted',
      'Name',
      'ParentId',
      'Industry__c',
      'Region__c',
      'ARR__c',
      'RenewalDate__c',
      'Churned__c',
    ],
    [
      '001DEMO0001',
      false,
      'Get Cloudy Consulting',
      '',
      'Consulting',
      'North America',
      480000,
      '2027-03-31',
      '',
    ],
    [
      '001DEMO0002',
      false,
      'Get Cloudy Consulting – Reno',
      '001DEMO0001',
      'Consulting',
      'North America',
      95000,
      '2027-03-31',
      '',
    ],
  ];
  const contacts: (string | number | boolean)[][] = [
    [
      'Id',
      'IsDeleted',
      'AccountId',
      'Title',
      'FirstName',
      'LastName',
      'Email',
      'Phone',
      'HasOptedOutOfEmail',
      'DoNotCall',
      'Language__c',
    ],
    [
      '003DEMO0001',
      false,
      '001DEMO0001',
      'Sales Manager',
      'Alan',
      'Johnson',
      'alan@gogetcloudy.example',
      '+14155550101',
      false,
      false,
      'en',
    ],
    [
      '003DEMO0002',
      false,
      '001DEMO0001',
      'Marketing Manager',
      'Leung',
      'Chan',
      'leung@gogetcloudy.example',
      '',
      false,
      false,
      'en',
    ],
  ];
  const team: (string | number | boolean)[][] = [
    ['AccountId', 'UserEmail', 'TeamMemberRole', 'IsDeleted'],
    ['001DEMO0001', 'olivia.owner@cloudkicks.example', 'Account Manager', false],
    ['001DEMO0001', 'carla.csm@cloudkicks.example', 'Customer Success Manager', false],
  ];

  let accountNo = 2;
  let contactNo = 2;
  const addContacts = (accountId: string, domain: string, n: number) => {
    for (let i = 0; i < n; i++) {
      contactNo++;
      const first = pick(FIRST);
      const last = pick(LAST);
      contacts.push([
        `003DEMO${String(contactNo).padStart(4, '0')}`,
        false,
        accountId,
        i < TITLES.length ? TITLES[i]! : pick(TITLES),
        first,
        last,
        `${slug(first)}.${slug(last)}${contactNo}@${domain}`,
        rand() < 0.5 ? `+1415555${String(1000 + (contactNo % 9000)).padStart(4, '0')}` : '',
        rand() < 0.05,
        rand() < 0.03,
        pick(['en', 'fr', 'it', 'es', 'de']),
      ]);
    }
  };
  const addAccount = (name: string, parentId: string, industry: string, region: string) => {
    accountNo++;
    const id = `001DEMO${String(accountNo).padStart(4, '0')}`;
    accounts.push([
      id,
      false,
      name,
      parentId,
      industry,
      region,
      Math.round(20 + rand() * 980) * 1000,
      `2027-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-28`,
      churnOutcome(id),
    ]);
    const owner = pick(TEAM.filter(([, role]) => role === 'Account Manager'));
    team.push([id, owner[0]!, owner[1]!, false]);
    for (const member of TEAM.filter(([, role]) => role !== 'Account Manager'))
      if (rand() < 0.45) team.push([id, member[0]!, member[1]!, false]);
    return id;
  };

  for (let i = 0; i < topLevelAccounts; i++) {
    const base = `${NAMES[i % NAMES.length]}${i >= NAMES.length ? ` ${Math.floor(i / NAMES.length) + 1}` : ''}`;
    const industry = pick(INDUSTRIES);
    const region = pick(REGIONS);
    const domain = `${slug(base)}.example`;
    const root = addAccount(`${base} ${pick(SUFFIXES)}`, '', industry, region);
    addContacts(root, domain, 3 + Math.floor(rand() * 6));
    const subsidiaries = Math.floor(rand() * 4);
    for (let s = 0; s < subsidiaries; s++) {
      const child = addAccount(`${base} ${BRANCHES[(i + s) % BRANCHES.length]}`, root, industry, region);
      addContacts(child, domain, 2 + Math.floor(rand() * 5));
      if (rand() < 0.3) {
        const grandchild = addAccount(
          `${base} ${BRANCHES[(i + s + 3) % BRANCHES.length]} Office`,
          child,
          industry,
          region,
        );
        addContacts(grandchild, domain, 1 + Math.floor(rand() * 3));
      }
    }
  }

  const files = {
    accounts: path.join(dir, 'Account.csv'),
    contacts: path.join(dir, 'Contact.csv'),
    teamMembers: path.join(dir, 'AccountTeamMember.csv'),
  };
  writeFileSync(files.accounts, csv(accounts));
  writeFileSync(files.contacts, csv(contacts));
  writeFileSync(files.teamMembers, csv(team));
  return {
    ...files,
    counts: { accounts: accounts.length - 1, contacts: contacts.length - 1, teamMembers: team.length - 1 },
  };
}

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

/**
 * Writes Salesforce-shaped Account, Contact and AccountTeamMember CSV files: n accounts in a
 * 3-level hierarchy (10% roots, 30% regions, 60% sites), 10×n contacts, 3×n team members.
 * `changedShare` > 0 alters that share of contacts and accounts (a re-import with changes).
 */
export async function writeB2bFiles(dir: string, n: number, changedShare = 0, seed = 1) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const titles = [
    'CEO',
    'CFO',
    'VP Sales',
    'Director of IT',
    'Program Manager',
    'Marketing Manager',
    'Analyst',
    'Engineer',
    'Buyer',
    'Janitor',
  ];
  const teamRoles = ['Account Manager', 'Customer Success Manager', 'Sales Engineer'];
  const changed = (i: number) => changedShare > 0 && i % Math.round(1 / changedShare) === 0;

  const write = async (file: string, header: string, rows: number, row: (i: number) => string) => {
    const out = createWriteStream(path.join(dir, file));
    out.write(`\uFEFF${header}\r\n`);
    let buffer = '';
    for (let i = 0; i < rows; i++) {
      buffer += `${row(i)}\r\n`;
      if (buffer.length > 1 << 16) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer);
    await once(out, 'finish');
  };

  const roots = Math.max(1, Math.floor(n * 0.1));
  const regions = Math.max(1, Math.floor(n * 0.3));
  const accountId = (i: number) => `001${String(i).padStart(12, '0')}`;
  await write('Account.csv', 'Id,IsDeleted,Name,ParentId,AnnualRevenue,Tier__c', n, (i) => {
    const parent =
      i < roots ? '' : i < roots + regions ? accountId(i % roots) : accountId(roots + (i % regions));
    const name = changed(i) ? `"Account ${i}, renamed"` : `"Account ${i}, Inc."`;
    return `${accountId(i)},false,${name},${parent},${Math.round(random() * 1e7)}.00,${'ABC'[i % 3]}`;
  });
  await write(
    'Contact.csv',
    'Id,IsDeleted,AccountId,Title,FirstName,LastName,Email,Phone,HasOptedOutOfEmail,DoNotCall,Department__c',
    n * 10,
    (i) => {
      const title = changed(i) ? 'Chief Revenue Officer' : titles[i % titles.length];
      return `003${String(i).padStart(12, '0')},false,${accountId(i % n)},${title},First${i},Last${i},person${i}@example${i % 97}.com,+1415555${String(i % 10000).padStart(4, '0')},${i % 50 === 0},0,Dept ${i % 20}`;
    },
  );
  await write(
    'AccountTeamMember.csv',
    'AccountId,User.Email,TeamMemberRole,IsDeleted',
    n * 3,
    (i) => `${accountId(Math.floor(i / 3))},rep${i % 500}@cloudkicks.example,${teamRoles[i % 3]},false`,
  );
  return { accounts: n, contacts: n * 10, teamMembers: n * 3 };
}

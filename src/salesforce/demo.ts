import {
  generateOrg,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../integrations/salesforce/emulator/index.ts';

/**
 * `rapport demo salesforce`: the Salesforce API emulator on loopback with the seed's Cloud Kicks
 * org (Get Cloudy Consulting, Alan Johnson, Leung Chan …), and what to type to connect Rapport.
 */
export async function startDemoEmulator(options: {
  port: number;
  accounts: number;
  clientId: string;
  clientSecret: string;
}) {
  const emulator = await startSalesforceEmulator({
    port: options.port,
    connectedApp: { clientId: options.clientId, clientSecret: options.clientSecret },
    seed: (store) => {
      seedCloudKicks(store);
      if (options.accounts > 0)
        generateOrg(store, { accounts: options.accounts, contactsPerAccount: 5, teamPerAccount: 2 });
    },
  });
  const details = {
    loginUrl: emulator.loginUrl,
    orgId: emulator.orgId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    username: emulator.username,
    password: emulator.password,
    webToLeadUrl: `${emulator.url}/servlet/servlet.WebToLead?encoding=UTF-8`,
    records: {
      accounts: emulator.store.count('Account'),
      contacts: emulator.store.count('Contact'),
      accountTeamMembers: emulator.store.count('AccountTeamMember'),
      cases: emulator.store.count('Case'),
    },
  };
  return { emulator, details, close: () => emulator.close() };
}

export function demoInstructions(d: Awaited<ReturnType<typeof startDemoEmulator>>['details']): string {
  const connection = JSON.stringify({
    kind: 'client_credentials',
    name: 'Cloud Kicks (demo)',
    loginUrl: d.loginUrl,
    clientId: d.clientId,
    clientSecret: d.clientSecret,
  });
  return `Salesforce emulator with the Cloud Kicks org on ${d.loginUrl}
  Org Id           ${d.orgId}
  Records          ${d.records.accounts} accounts, ${d.records.contacts} contacts, ${d.records.accountTeamMembers} team members, ${d.records.cases} cases
  Consumer key     ${d.clientId}
  Consumer secret  ${d.clientSecret}
  API user         ${d.username} / ${d.password}
  Web-to-Lead      ${d.webToLeadUrl}

Connect Rapport to it (with \`rapport start\` running):
  1. Settings → Connections → Connect a Salesforce org, with
       OAuth (web server flow) or Client credentials: login URL ${d.loginUrl},
       the consumer key and secret above (the emulator signs you in as the API user).
     or through the API:
       curl -X POST http://localhost:3000/api/v1/salesforce/connections \\
         -H "Authorization: Bearer <rap_… token from rapport token create>" -H "content-type: application/json" \\
         -d '${connection}'
  2. Open /salesforce (or Settings → Connections → "Set up the Salesforce sync of a directory"): pick the
     directory and the connection, keep the seed's fields, save, Run now.
     or: rapport sync salesforce --directory <name>   (after saving the sync once)

Ctrl-C stops the emulator (its records live in memory).`;
}

import { parseArgs } from 'node:util';
import { generateOrg } from './generate-org.ts';
import { startSalesforceEmulator } from './salesforce-emulator.ts';
import { seedCloudKicks } from './seed-cloud-kicks.ts';

/**
 * Runs the Salesforce emulator with the Cloud Kicks seed, for offline demos (and, later,
 * `rapport demo salesforce`):
 *
 *   node src/integrations/salesforce/emulator/main.ts --port 8484 [--accounts 200 --contacts-per-account 10]
 *
 * It prints the URLs and credentials to give Rapport (or jsforce, or curl); --json prints them as
 * one JSON line instead. Fixed --client-id / --client-secret keep a saved connection valid across
 * restarts. Ctrl-C stops it.
 */

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8484' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'callback-url': { type: 'string', multiple: true },
    accounts: { type: 'string', default: '0' },
    'contacts-per-account': { type: 'string', default: '5' },
    'team-per-account': { type: 'string', default: '2' },
    'no-seed': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const count = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a whole number, not ${text}`);
  return n;
};

const accounts = count('accounts', values.accounts);
const emulator = await startSalesforceEmulator({
  port: count('port', values.port),
  connectedApp: {
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    ...(values['callback-url'] ? { callbackUrls: values['callback-url'] } : {}),
  },
  seed: (store) => {
    if (!values['no-seed']) seedCloudKicks(store);
    if (accounts > 0) {
      generateOrg(store, {
        accounts,
        contactsPerAccount: count('contacts-per-account', values['contacts-per-account']),
        teamPerAccount: count('team-per-account', values['team-per-account']),
      });
    }
  },
});
const accessToken = emulator.issueAccessToken();
const details = {
  loginUrl: emulator.loginUrl,
  instanceUrl: emulator.instanceUrl,
  apiVersion: '62.0',
  orgId: emulator.orgId,
  clientId: emulator.clientId,
  clientSecret: emulator.clientSecret,
  username: emulator.username,
  password: emulator.password,
  securityToken: emulator.securityToken,
  accessToken,
  webToLeadUrl: `${emulator.url}/servlet/servlet.WebToLead?encoding=UTF-8`,
  records: {
    accounts: emulator.store.count('Account'),
    contacts: emulator.store.count('Contact'),
    accountTeamMembers: emulator.store.count('AccountTeamMember'),
  },
};

if (values.json) {
  console.log(JSON.stringify(details));
} else {
  console.log(`Salesforce emulator (Cloud Kicks org) on ${emulator.url}

  Login URL        ${details.loginUrl}
  Instance URL     ${details.instanceUrl}
  API version      ${details.apiVersion}
  Org Id           ${details.orgId}
  Consumer key     ${details.clientId}
  Consumer secret  ${details.clientSecret}
  Username         ${details.username}
  Password         ${details.password}
  Security token   ${details.securityToken}
  Access token     ${details.accessToken}
  Web-to-Lead      ${details.webToLeadUrl}
  Records          ${details.records.accounts} accounts, ${details.records.contacts} contacts, ${details.records.accountTeamMembers} team members

  Try: curl -H "Authorization: Bearer ${accessToken}" "${emulator.instanceUrl}/services/data/v62.0/query?q=SELECT+Name,Parent.Name+FROM+Account"

Ctrl-C stops it.`);
}

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/** The Salesforce API emulator: start it, seed it, size it. */
export type { EmulatorStore, StoreWriteOptions } from './emulator-store.ts';
export type { FaultKind, FaultSpec, InjectedFault } from './faults.ts';
export { type GeneratedOrg, type GenerateOrgOptions, generateOrg } from './generate-org.ts';
export type { ListViewInput } from './list-views.ts';
export type { OutboundMessageInput, OutboundResult } from './outbound-messages.ts';
export {
  type RequestRecord,
  type SalesforceEmulator,
  type SalesforceEmulatorOptions,
  startSalesforceEmulator,
} from './salesforce-emulator.ts';
export { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

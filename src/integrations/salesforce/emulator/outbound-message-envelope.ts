import type { FieldDef, SObjectDef } from './schema.ts';
import { type StoredValue, toXmlValue } from './values.ts';

/**
 * The SOAP envelope of a workflow Outbound Message (namespace
 * http://soap.sforce.com/2005/09/outbound), byte for byte in Salesforce's layout: organization,
 * action, session (xsi:nil when not sent), the Enterprise and Partner SOAP URLs, then one
 * Notification per record with its sObject (xsi:type="sf:Case", Id first, then the chosen fields
 * in alphabetical order, null fields left out).
 */

export const OUTBOUND_NAMESPACE = 'http://soap.sforce.com/2005/09/outbound';

export interface EnvelopeNotification {
  id: string;
  object: SObjectDef;
  fields: { field: FieldDef; value: StoredValue }[];
}

export interface EnvelopeInput {
  organizationId: string;
  actionId: string;
  sessionId: string | null;
  enterpriseUrl: string;
  partnerUrl: string;
  notifications: EnvelopeNotification[];
}

export const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function sObject(notification: EnvelopeNotification): string[] {
  const byName = [...notification.fields].sort((a, b) => {
    if (a.field.name === 'Id') return -1;
    if (b.field.name === 'Id') return 1;
    return a.field.name < b.field.name ? -1 : 1;
  });
  const lines = [
    `    <sObject xsi:type="sf:${notification.object.name}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">`,
  ];
  for (const { field, value } of byName) {
    if (value === null || value === undefined) continue;
    lines.push(`     <sf:${field.name}>${escapeXml(toXmlValue(field, value))}</sf:${field.name}>`);
  }
  lines.push('    </sObject>');
  return lines;
}

export function outboundEnvelope(input: EnvelopeInput): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ' <soapenv:Body>',
    `  <notifications xmlns="${OUTBOUND_NAMESPACE}">`,
    `   <OrganizationId>${input.organizationId}</OrganizationId>`,
    `   <ActionId>${input.actionId}</ActionId>`,
    input.sessionId === null
      ? '   <SessionId xsi:nil="true"/>'
      : `   <SessionId>${escapeXml(input.sessionId)}</SessionId>`,
    `   <EnterpriseUrl>${escapeXml(input.enterpriseUrl)}</EnterpriseUrl>`,
    `   <PartnerUrl>${escapeXml(input.partnerUrl)}</PartnerUrl>`,
  ];
  for (const notification of input.notifications) {
    lines.push(
      '   <Notification>',
      `    <Id>${notification.id}</Id>`,
      ...sObject(notification),
      '   </Notification>',
    );
  }
  lines.push('  </notifications>', ' </soapenv:Body>', '</soapenv:Envelope>');
  return `${lines.join('\n')}\n`;
}

/**
 * Whether a listener's reply acknowledges the message: a 2xx SOAP envelope whose body is
 * notificationsResponse (outbound namespace) with <Ack>true</Ack>. Anything else and Salesforce
 * queues the message again.
 */
export function isAcknowledgement(status: number | null, body: string): boolean {
  if (status === null || status < 200 || status > 299) return false;
  const hasNamespace = body.includes(OUTBOUND_NAMESPACE);
  const response =
    /<(?:[\w-]+:)?notificationsResponse\b[\s\S]*<(?:[\w-]+:)?Ack>\s*true\s*<\/(?:[\w-]+:)?Ack>[\s\S]*<\/(?:[\w-]+:)?notificationsResponse>/;
  return hasNamespace && /<(?:[\w-]+:)?Envelope\b/.test(body) && response.test(body);
}

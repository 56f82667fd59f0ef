import { childNamed, childrenNamed, parseXml, qnameLocal, type XmlError } from './xml.ts';

/** Salesforce workflow Outbound Messages (SOAP 1.1, namespace http://soap.sforce.com/2005/09/outbound). */
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The acknowledgement Salesforce expects; anything else and it sends the message again. */
export const ACK = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}"><soapenv:Body><notificationsResponse xmlns="${OUTBOUND_NS}"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>`;

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A SOAP fault: the message stays in Salesforce's queue and is retried (for 24 hours). */
export const soapFault = (code: 'Client' | 'Server', message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

export interface OutboundNotification {
  /** Notification Id (04l…): the same on every retry of this notification. */
  id: string;
  object: string;
  /** The sObject's fields as sent (Id always). */
  fields: Record<string, string>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  sessionId: string | null;
  enterpriseUrl: string;
  partnerUrl: string;
  notifications: OutboundNotification[];
}

export class EnvelopeError extends Error {}

/** Reads the notifications envelope, or says what is wrong with it. */
export function parseOutboundMessage(xml: string): OutboundMessage {
  let root: ReturnType<typeof parseXml>;
  try {
    root = parseXml(xml);
  } catch (error) {
    throw new EnvelopeError(`Not well-formed XML: ${(error as XmlError).message}`);
  }
  if (root.name !== 'Envelope' || root.ns !== SOAP_ENVELOPE_NS)
    throw new EnvelopeError('Not a SOAP 1.1 envelope');
  const body = childNamed(root, 'Body', SOAP_ENVELOPE_NS);
  const notifications = body && childNamed(body, 'notifications', OUTBOUND_NS);
  if (!notifications) throw new EnvelopeError('The envelope holds no Outbound Message notifications');
  const text = (name: string) => childNamed(notifications, name, OUTBOUND_NS)?.text.trim() ?? '';
  const session = childNamed(notifications, 'SessionId', OUTBOUND_NS);
  const nil =
    session?.attributes &&
    Object.entries(session.attributes).some(
      ([k, v]) => k.endsWith(':nil') && session.scope.get(k.split(':')[0]!) === XSI_NS && v === 'true',
    );
  const message: OutboundMessage = {
    organizationId: text('OrganizationId'),
    actionId: text('ActionId'),
    sessionId: !session || nil || !session.text.trim() ? null : session.text.trim(),
    enterpriseUrl: text('EnterpriseUrl'),
    partnerUrl: text('PartnerUrl'),
    notifications: [],
  };
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(message.organizationId))
    throw new EnvelopeError('The envelope has no valid OrganizationId');
  for (const item of childrenNamed(notifications, 'Notification', OUTBOUND_NS)) {
    const id = childNamed(item, 'Id', OUTBOUND_NS)?.text.trim() ?? '';
    const sObject = childNamed(item, 'sObject', OUTBOUND_NS);
    if (!id || !sObject) throw new EnvelopeError('A notification lacks its Id or its sObject');
    const typeAttribute = Object.entries(sObject.attributes).find(
      ([k]) => k.endsWith(':type') && sObject.scope.get(k.split(':')[0]!) === XSI_NS,
    );
    const fields: Record<string, string> = {};
    for (const field of sObject.children) fields[field.name] = field.text;
    if (!fields.Id) throw new EnvelopeError(`Notification ${id} has no record Id`);
    message.notifications.push({ id, object: typeAttribute ? qnameLocal(typeAttribute[1]) : '', fields });
  }
  if (message.notifications.length === 0) throw new EnvelopeError('The envelope holds no notification');
  return message;
}

/** Org Ids compare on their case-sensitive 15-character form (18-character Ids add a checksum). */
export const sameOrg = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

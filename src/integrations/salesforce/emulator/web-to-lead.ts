import type { Reply } from './http-kit.ts';
import { to15 } from './ids.ts';
import type { Org } from './org.ts';
import { escapeXml } from './outbound-message-envelope.ts';

/**
 * Web-to-Lead: the form post Salesforce's generated HTML makes to
 * /servlet/servlet.WebToLead?encoding=UTF-8 (oid = the org's Id, standard inputs such as
 * first_name, custom fields by their 15-character field Id 00N…). The visitor always gets the
 * redirect to retURL, whatever happens: a lead is created, held in the pending queue once the day's
 * 500 are used up (created when the limit resets), or dropped when it cannot be saved.
 */

const FORM_FIELDS: Record<string, string> = {
  salutation: 'Salutation',
  first_name: 'FirstName',
  last_name: 'LastName',
  email: 'Email',
  company: 'Company',
  title: 'Title',
  phone: 'Phone',
  mobile: 'MobilePhone',
  url: 'Website',
  description: 'Description',
  lead_source: 'LeadSource',
  industry: 'Industry',
  rating: 'Rating',
  street: 'Street',
  city: 'City',
  state: 'State',
  zip: 'PostalCode',
  country: 'Country',
  employees: 'NumberOfEmployees',
  revenue: 'AnnualRevenue',
  emailOptOut: 'HasOptedOutOfEmail',
  doNotCall: 'DoNotCall',
  faxOptOut: 'HasOptedOutOfFax',
};

const CHECKBOXES = new Set(['emailOptOut', 'doNotCall', 'faxOptOut']);
const PENDING_LIMIT = 50_000;

export interface WebToLeadSubmission {
  at: number;
  form: Record<string, string>;
  outcome: 'created' | 'pending' | 'rejected' | 'ignored';
  leadId: string | null;
  reason: string | null;
}

export function createWebToLead(deps: { org: Org; dailyLimit: number }) {
  const { org } = deps;
  const submissions: WebToLeadSubmission[] = [];
  const pending: WebToLeadSubmission[] = [];
  let createdToday = 0;

  function leadInput(form: URLSearchParams) {
    const lead = org.object('Lead');
    const input: Record<string, unknown> = {};
    for (const [name, value] of form) {
      const standard = FORM_FIELDS[name];
      if (standard) {
        input[standard] = CHECKBOXES.has(name) ? value === '1' || value === 'on' || value === 'true' : value;
        continue;
      }
      const custom = lead.fields.find(
        (f) => f.fieldId && (f.fieldId === name || f.fieldId === name.slice(0, 15)),
      );
      if (custom) input[custom.name] = value;
    }
    return input;
  }

  function create(submission: WebToLeadSubmission) {
    const form = new URLSearchParams(submission.form);
    const result = org.store.insert(org.object('Lead'), leadInput(form), { userId: org.apiUserId });
    if (!result.success) {
      submission.outcome = 'rejected';
      submission.reason = `${result.errors[0]!.statusCode}: ${result.errors[0]!.message}`;
      return;
    }
    submission.outcome = 'created';
    submission.leadId = result.id;
    createdToday++;
    const campaignId = form.get('Campaign_ID');
    if (campaignId) {
      org.store.insert(
        org.object('CampaignMember'),
        { CampaignId: campaignId, LeadId: result.id, Status: form.get('member_status') || 'Responded' },
        { userId: org.apiUserId },
      );
    }
  }

  function page(form: URLSearchParams): Reply {
    const target = form.get('retURL');
    if (form.get('debug') === '1') {
      const rows = [...form].map(([k, v]) => `${escapeXml(k)}: ${escapeXml(v)}<br>`).join('\n');
      return {
        status: 200,
        raw: `<html><body>${rows}</body></html>`,
        contentType: 'text/html;charset=UTF-8',
      };
    }
    const refresh = target ? `<meta http-equiv="Refresh" content="0; URL=${escapeXml(target)}">` : '';
    return {
      status: 200,
      raw: `<html><head>${refresh}</head><body></body></html>`,
      contentType: 'text/html;charset=UTF-8',
    };
  }

  return {
    handle(body: string): Reply {
      const form = new URLSearchParams(body);
      const submission: WebToLeadSubmission = {
        at: org.now(),
        form: Object.fromEntries(form),
        outcome: 'ignored',
        leadId: null,
        reason: null,
      };
      submissions.push(submission);
      const oid = form.get('oid') ?? '';
      if (to15(oid) !== to15(org.id)) {
        submission.reason = 'oid is not this organization';
      } else if (createdToday >= deps.dailyLimit) {
        if (pending.length < PENDING_LIMIT) {
          submission.outcome = 'pending';
          pending.push(submission);
        } else {
          submission.outcome = 'rejected';
          submission.reason = 'pending request queue is full';
        }
      } else {
        create(submission);
      }
      return page(form);
    },
    submissions: () => [...submissions],
    pendingCount: () => pending.length,
    /** The daily limit resets: queued requests become leads, up to the new day's limit. */
    startNewDay() {
      createdToday = 0;
      while (pending.length > 0 && createdToday < deps.dailyLimit) create(pending.shift()!);
    },
  };
}

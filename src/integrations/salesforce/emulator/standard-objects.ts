import {
  address,
  checkbox,
  currency,
  date,
  dateTime,
  email,
  integer,
  lookup,
  personName,
  phone,
  picklist,
  systemFields,
  text,
  textArea,
  url,
} from './field-builders.ts';
import { KEY_PREFIXES } from './ids.ts';
import type { SObjectDef } from './schema.ts';

/**
 * The standard objects Rapport reads and writes, with the fields and picklist values of a fresh
 * Enterprise Edition org (a subset: the fields the integration and its tests touch).
 */

const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

const user: SObjectDef = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: KEY_PREFIXES.User,
  custom: false,
  // Users are deactivated, never deleted: the object has no IsDeleted and no recycle bin.
  deletable: false,
  fields: [
    ...systemFields({ owner: false, isDeleted: false }),
    text('Username', 'Username', 80, { required: true, unique: true }),
    ...personName(),
    email('Email', 'Email', { required: true }),
    text('Alias', 'Alias', 8, { required: true }),
    text('Title', 'Title', 80),
    text('Department', 'Department', 80),
    phone('Phone', 'Phone'),
    phone('MobilePhone', 'Mobile'),
    checkbox('IsActive', 'Active', { defaultValue: true }),
    picklist('UserType', 'User Type', ['Standard', 'PowerPartner', 'CsnOnly', 'Guest'], {
      defaultValue: 'Standard',
      readOnly: true,
    }),
    text('TimeZoneSidKey', 'Time Zone', 40, { defaultValue: 'GMT' }),
    text('LanguageLocaleKey', 'Language', 40, { defaultValue: 'en_US' }),
  ],
};

const account: SObjectDef = {
  name: 'Account',
  label: 'Account',
  labelPlural: 'Accounts',
  keyPrefix: KEY_PREFIXES.Account,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: true, isDeleted: true }),
    text('Name', 'Account Name', 255, { required: true, nameField: true }),
    lookup('ParentId', 'Parent Account ID', 'Account', 'Parent', { childRelationshipName: 'ChildAccounts' }),
    text('AccountNumber', 'Account Number', 40),
    picklist('Type', 'Account Type', [
      'Prospect',
      'Customer - Direct',
      'Customer - Channel',
      'Channel Partner / Reseller',
      'Installation Partner',
      'Technology Partner',
      'Other',
    ]),
    picklist('Industry', 'Industry', INDUSTRIES),
    currency('AnnualRevenue', 'Annual Revenue'),
    integer('NumberOfEmployees', 'Employees', { precision: 8 }),
    phone('Phone', 'Account Phone'),
    url('Website', 'Website'),
    textArea('Description', 'Account Description'),
    ...address('Billing', 'Billing'),
    ...address('Shipping', 'Shipping'),
    date('LastActivityDate', 'Last Activity', { readOnly: true }),
  ],
};

const contact: SObjectDef = {
  name: 'Contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  keyPrefix: KEY_PREFIXES.Contact,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: true, isDeleted: true }),
    lookup('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Contacts' }),
    ...personName(),
    text('Title', 'Title', 128),
    text('Department', 'Department', 80),
    email('Email', 'Email'),
    phone('Phone', 'Business Phone'),
    phone('MobilePhone', 'Mobile Phone'),
    phone('HomePhone', 'Home Phone'),
    checkbox('DoNotCall', 'Do Not Call'),
    checkbox('HasOptedOutOfEmail', 'Email Opt Out'),
    checkbox('HasOptedOutOfFax', 'Fax Opt Out'),
    text('EmailBouncedReason', 'Email Bounced Reason', 255),
    dateTime('EmailBouncedDate', 'Email Bounced Date'),
    checkbox('IsEmailBounced', 'Is Email Bounced', { computed: true }),
    picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
    date('Birthdate', 'Birthdate'),
    textArea('Description', 'Contact Description'),
    lookup('ReportsToId', 'Reports To ID', 'Contact', 'ReportsTo'),
    ...address('Mailing', 'Mailing'),
  ],
};

const accountTeamMember: SObjectDef = {
  name: 'AccountTeamMember',
  label: 'Account Team Member',
  labelPlural: 'Account Team Members',
  keyPrefix: KEY_PREFIXES.AccountTeamMember,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: false, isDeleted: true }),
    lookup('AccountId', 'Account ID', 'Account', 'Account', {
      required: true,
      createOnly: true,
      childRelationshipName: 'AccountTeamMembers',
    }),
    lookup('UserId', 'User ID', 'User', 'User', { required: true, createOnly: true }),
    picklist('TeamMemberRole', 'Team Role', [
      'Account Manager',
      'Channel Manager',
      'Executive Sponsor',
      'Lead Qualifier',
      'Pre-Sales Consultant',
      'Sales Manager',
      'Sales Rep',
      'Technical Sales Manager',
      'Customer Success Manager',
      'Support Engineer',
    ]),
    picklist('AccountAccessLevel', 'Account Access', ['Read', 'Edit', 'All'], { defaultValue: 'Read' }),
  ],
};

const lead: SObjectDef = {
  name: 'Lead',
  label: 'Lead',
  labelPlural: 'Leads',
  keyPrefix: KEY_PREFIXES.Lead,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: true, isDeleted: true }),
    ...personName(),
    text('Company', 'Company', 255, { required: true }),
    text('Title', 'Title', 128),
    email('Email', 'Email'),
    phone('Phone', 'Phone'),
    phone('MobilePhone', 'Mobile Phone'),
    url('Website', 'Website'),
    picklist(
      'Status',
      'Status',
      ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
      { defaultValue: 'Open - Not Contacted' },
    ),
    picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
    picklist('Industry', 'Industry', INDUSTRIES),
    picklist('Rating', 'Rating', ['Hot', 'Warm', 'Cold']),
    currency('AnnualRevenue', 'Annual Revenue'),
    integer('NumberOfEmployees', 'Employees', { precision: 8 }),
    checkbox('DoNotCall', 'Do Not Call'),
    checkbox('HasOptedOutOfEmail', 'Email Opt Out'),
    checkbox('HasOptedOutOfFax', 'Fax Opt Out'),
    text('EmailBouncedReason', 'Email Bounced Reason', 255),
    dateTime('EmailBouncedDate', 'Email Bounced Date'),
    textArea('Description', 'Description'),
    checkbox('IsConverted', 'Converted', { readOnly: true }),
    ...address('', ''),
  ],
};

const campaign: SObjectDef = {
  name: 'Campaign',
  label: 'Campaign',
  labelPlural: 'Campaigns',
  keyPrefix: KEY_PREFIXES.Campaign,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: true, isDeleted: true }),
    text('Name', 'Name', 80, { required: true, nameField: true }),
    lookup('ParentId', 'Parent Campaign ID', 'Campaign', 'Parent', {
      childRelationshipName: 'ChildCampaigns',
    }),
    picklist('Type', 'Type', [
      'Conference',
      'Webinar',
      'Trade Show',
      'Public Relations',
      'Partners',
      'Referral Program',
      'Advertisement',
      'Banner Ads',
      'Direct Mail',
      'Email',
      'Telemarketing',
      'Other',
    ]),
    picklist('Status', 'Status', ['Planned', 'In Progress', 'Completed', 'Aborted']),
    checkbox('IsActive', 'Active'),
    date('StartDate', 'Start Date'),
    date('EndDate', 'End Date'),
    textArea('Description', 'Description'),
  ],
};

const campaignMember: SObjectDef = {
  name: 'CampaignMember',
  label: 'Campaign Member',
  labelPlural: 'Campaign Members',
  keyPrefix: KEY_PREFIXES.CampaignMember,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: false, isDeleted: true }),
    lookup('CampaignId', 'Campaign ID', 'Campaign', 'Campaign', {
      required: true,
      createOnly: true,
      childRelationshipName: 'CampaignMembers',
    }),
    lookup('LeadId', 'Lead ID', 'Lead', 'Lead', {
      createOnly: true,
      childRelationshipName: 'CampaignMembers',
    }),
    lookup('ContactId', 'Contact ID', 'Contact', 'Contact', {
      createOnly: true,
      childRelationshipName: 'CampaignMembers',
    }),
    picklist('Status', 'Status', ['Planned', 'Sent', 'Received', 'Responded'], { defaultValue: 'Sent' }),
    checkbox('HasResponded', 'Responded', { computed: true }),
  ],
};

const supportCase: SObjectDef = {
  name: 'Case',
  label: 'Case',
  labelPlural: 'Cases',
  keyPrefix: KEY_PREFIXES.Case,
  custom: false,
  deletable: true,
  fields: [
    ...systemFields({ owner: true, isDeleted: true }),
    text('CaseNumber', 'Case Number', 30, { computed: true, nameField: true }),
    lookup('ContactId', 'Contact ID', 'Contact', 'Contact', { childRelationshipName: 'Cases' }),
    lookup('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Cases' }),
    lookup('ParentId', 'Parent Case ID', 'Case', 'Parent', { childRelationshipName: 'Cases' }),
    text('Subject', 'Subject', 255),
    textArea('Description', 'Description'),
    picklist('Status', 'Status', ['New', 'Working', 'Escalated', 'Closed'], { defaultValue: 'New' }),
    picklist('Priority', 'Priority', ['High', 'Medium', 'Low'], { defaultValue: 'Medium' }),
    picklist('Origin', 'Case Origin', ['Phone', 'Email', 'Web']),
    picklist('Type', 'Case Type', ['Question', 'Problem', 'Feature Request']),
    picklist('Reason', 'Case Reason', [
      'Installation',
      'Equipment Complexity',
      'Performance',
      'Breakdown',
      'Other',
    ]),
    checkbox('IsClosed', 'Closed', { computed: true }),
    dateTime('ClosedDate', 'Closed Date', { computed: true }),
    checkbox('IsEscalated', 'Escalated'),
    email('SuppliedEmail', 'Web Email'),
    text('SuppliedName', 'Web Name', 80),
  ],
};

/** Case statuses that close a case (IsClosed = true), as in a fresh org's support settings. */
export const CLOSED_CASE_STATUSES = new Set(['Closed']);

/** CampaignMember statuses that count as responded (HasResponded = true). */
export const RESPONDED_MEMBER_STATUSES = new Set(['Received', 'Responded']);

export const STANDARD_OBJECTS: readonly SObjectDef[] = [
  user,
  account,
  contact,
  accountTeamMember,
  lead,
  campaign,
  campaignMember,
  supportCase,
];

import type { EmulatorStore } from './emulator-store.ts';

/**
 * The seeds' own example, as records of Cloud Kicks' org: its customer Get Cloudy Consulting
 * (part of a small hierarchy) with Alan Johnson and Leung Chan, a few more customers, the
 * account teams (Cloud Kicks users with their emails), cases (one closed, for the CSAT survey an
 * Outbound Message triggers), leads, campaigns with contact and lead members, and two list views
 * of the kind sales teams save ("Strategic customers", "Managers").
 */

export interface CloudKicksSeed {
  users: Record<'eliza' | 'marcus' | 'priya' | 'tom', string>;
  accounts: Record<'holdings' | 'getCloudy' | 'getCloudyEmea' | 'fabShoes' | 'urbanStride', string>;
  contacts: Record<'alan' | 'leung' | 'sofia' | 'jamal' | 'nina', string>;
  cases: Record<'closedShipping' | 'openSizing', string>;
  leads: Record<'rita' | 'kenji' | 'okoro', string>;
  /** The Relationship NPS campaign (= campaigns.nps). */
  campaign: string;
  campaigns: Record<'nps' | 'summerLaunch' | 'holidayPromo', string>;
  listViews: { strategicAccounts: string; managers: string };
}

export function seedCloudKicks(store: EmulatorStore): CloudKicksSeed {
  const user = (firstName: string, lastName: string, title: string) => {
    const login = `${firstName}.${lastName}`.toLowerCase();
    return store.addUser({
      username: `${login}@cloudkicks.example.com`,
      password: 'CloudKicks-Demo-1',
      firstName,
      lastName,
      email: `${login}@cloudkicks.example.com`,
      title,
    });
  };
  const users = {
    eliza: user('Eliza', 'Brennan', 'Account Executive'),
    marcus: user('Marcus', 'Chen', 'Customer Success Manager'),
    priya: user('Priya', 'Raman', 'Sales Engineer'),
    tom: user('Tom', 'Okafor', 'Support Engineer'),
  };

  const account = (fields: Record<string, unknown>) =>
    store.insert('Account', { OwnerId: users.eliza, ...fields });
  const holdings = account({
    Name: 'Get Cloudy Holdings',
    Type: 'Customer - Direct',
    Industry: 'Consulting',
    AnnualRevenue: 120_000_000,
    Tier__c: 'Platinum',
    Customer_Number__c: 'CK-1000',
    BillingCity: 'San Francisco',
    BillingState: 'CA',
    BillingCountry: 'United States',
  });
  const getCloudy = account({
    Name: 'Get Cloudy Consulting',
    ParentId: holdings,
    Type: 'Customer - Direct',
    Industry: 'Consulting',
    AnnualRevenue: 45_000_000,
    NumberOfEmployees: 320,
    Website: 'https://gogetcloudy.com',
    Phone: '+1 415 555 0100',
    Tier__c: 'Gold',
    Customer_Number__c: 'CK-1001',
    BillingStreet: '1 Market Street',
    BillingCity: 'San Francisco',
    BillingState: 'CA',
    BillingPostalCode: '94105',
    BillingCountry: 'United States',
  });
  const getCloudyEmea = account({
    Name: 'Get Cloudy Consulting EMEA',
    ParentId: getCloudy,
    Type: 'Customer - Direct',
    Industry: 'Consulting',
    AnnualRevenue: 12_000_000,
    Tier__c: 'Silver',
    Customer_Number__c: 'CK-1002',
    BillingCity: 'Dublin',
    BillingCountry: 'Ireland',
  });
  const fabShoes = account({
    Name: 'Fab Shoe Boutique',
    Type: 'Customer - Channel',
    Industry: 'Retail',
    AnnualRevenue: 3_500_000,
    Tier__c: 'Bronze',
    Customer_Number__c: 'CK-2001',
    BillingCity: 'Austin',
    BillingState: 'TX',
    BillingCountry: 'United States',
  });
  const urbanStride = account({
    Name: 'Urban Stride Outfitters',
    Type: 'Customer - Direct',
    Industry: 'Apparel',
    AnnualRevenue: 18_000_000,
    Tier__c: 'Silver',
    Customer_Number__c: 'CK-2002',
    BillingCity: 'Milan',
    BillingCountry: 'Italy',
  });

  const contact = (fields: Record<string, unknown>) =>
    store.insert('Contact', { OwnerId: users.marcus, ...fields });
  const contacts = {
    alan: contact({
      AccountId: getCloudy,
      FirstName: 'Alan',
      LastName: 'Johnson',
      Title: 'Sales Manager',
      Email: 'alan@gogetcloudy.com',
      Phone: '+1 415 555 0101',
      MobilePhone: '+1 415 555 0111',
      Preferred_Language__c: 'en',
      MailingCity: 'San Francisco',
      MailingCountry: 'United States',
    }),
    leung: contact({
      AccountId: getCloudy,
      FirstName: 'Leung',
      LastName: 'Chan',
      Title: 'Marketing Manager',
      Email: 'leung@gogetcloudy.com',
      Phone: '+1 415 555 0102',
      Preferred_Language__c: 'en',
    }),
    sofia: contact({
      AccountId: getCloudyEmea,
      FirstName: 'Sofia',
      LastName: 'Byrne',
      Title: 'Chief Executive Officer',
      Email: 'sofia.byrne@gogetcloudy.com',
      Preferred_Language__c: 'en',
    }),
    jamal: contact({
      AccountId: fabShoes,
      FirstName: 'Jamal',
      LastName: 'Price',
      Title: 'Procurement Director',
      Email: 'jamal@fabshoes.example.com',
      DoNotCall: true,
    }),
    nina: contact({
      AccountId: urbanStride,
      FirstName: 'Nina',
      LastName: 'Ferrari',
      Title: 'Operations Manager',
      Email: 'nina.ferrari@urbanstride.example.com',
      MobilePhone: '+39 02 5550 1234',
      Preferred_Language__c: 'it',
      HasOptedOutOfFax: true,
    }),
  };

  const team: [string, string, string][] = [
    [holdings, users.eliza, 'Account Manager'],
    [getCloudy, users.eliza, 'Account Manager'],
    [getCloudy, users.marcus, 'Customer Success Manager'],
    [getCloudy, users.priya, 'Pre-Sales Consultant'],
    [getCloudyEmea, users.marcus, 'Customer Success Manager'],
    [fabShoes, users.eliza, 'Sales Rep'],
    [fabShoes, users.tom, 'Support Engineer'],
    [urbanStride, users.eliza, 'Account Manager'],
    [urbanStride, users.marcus, 'Customer Success Manager'],
  ];
  for (const [AccountId, UserId, TeamMemberRole] of team) {
    store.insert('AccountTeamMember', { AccountId, UserId, TeamMemberRole });
  }

  const cases = {
    closedShipping: store.insert('Case', {
      AccountId: getCloudy,
      ContactId: contacts.alan,
      Subject: 'Order shipped to the wrong office',
      Status: 'New',
      Origin: 'Email',
      Priority: 'High',
      OwnerId: users.tom,
    }),
    openSizing: store.insert('Case', {
      AccountId: urbanStride,
      ContactId: contacts.nina,
      Subject: 'Sizing chart for the Milan store',
      Status: 'Working',
      Origin: 'Web',
      OwnerId: users.tom,
    }),
  };
  store.update('Case', cases.closedShipping, { Status: 'Closed' });

  const [rita, kenji, okoro] = store.insertMany('Lead', [
    {
      FirstName: 'Rita',
      LastName: 'Moreno',
      Company: 'Sole Survivors',
      Email: 'rita@solesurvivors.example.com',
      LeadSource: 'Web',
      Title: 'Buyer',
    },
    {
      FirstName: 'Kenji',
      LastName: 'Sato',
      Company: 'Trail Blazers Co',
      Email: 'kenji@trailblazers.example.com',
      LeadSource: 'Partner Referral',
      Status: 'Working - Contacted',
    },
    {
      LastName: 'Okoro',
      Company: 'Lagos Runners',
      Phone: '+234 1 555 0199',
      LeadSource: 'Phone Inquiry',
      DoNotCall: true,
    },
  ]);

  const campaign = store.insert('Campaign', {
    Name: 'Relationship NPS 2026',
    Type: 'Email',
    Status: 'In Progress',
    IsActive: true,
    StartDate: '2026-01-15',
  });
  for (const ContactId of [contacts.alan, contacts.leung, contacts.sofia]) {
    store.insert('CampaignMember', { CampaignId: campaign, ContactId, Status: 'Sent' });
  }
  const summerLaunch = store.insert('Campaign', {
    Name: 'Summer Launch Webinar',
    Type: 'Webinar',
    Status: 'In Progress',
    IsActive: true,
    StartDate: '2026-06-01',
  });
  const members: [string, string, string][] = [
    ['ContactId', contacts.jamal, 'Responded'],
    ['ContactId', contacts.nina, 'Sent'],
    ['LeadId', rita!, 'Responded'],
    ['LeadId', kenji!, 'Sent'],
  ];
  for (const [field, id, Status] of members)
    store.insert('CampaignMember', { CampaignId: summerLaunch, [field]: id, Status });
  const holidayPromo = store.insert('Campaign', {
    Name: 'Holiday Promo 2025',
    Type: 'Email',
    Status: 'Completed',
    IsActive: false,
    StartDate: '2025-11-20',
    EndDate: '2025-12-31',
  });
  store.insert('CampaignMember', { CampaignId: holidayPromo, ContactId: contacts.alan, Status: 'Sent' });
  store.insert('CampaignMember', { CampaignId: holidayPromo, LeadId: okoro!, Status: 'Sent' });

  const listViews = {
    strategicAccounts: store.addListView({
      sobjectType: 'Account',
      developerName: 'Strategic_Customers',
      label: 'Strategic customers',
      where: "Tier__c IN ('Platinum', 'Gold')",
      columns: ['Name', 'Tier__c', 'Customer_Number__c', 'Owner.Alias'],
    }),
    managers: store.addListView({
      sobjectType: 'Contact',
      developerName: 'Managers',
      label: 'Managers',
      where: "Title LIKE '%Manager%'",
      columns: ['Name', 'Title', 'Email', 'Account.Name'],
    }),
  };

  return {
    users,
    accounts: { holdings, getCloudy, getCloudyEmea, fabShoes, urbanStride },
    contacts,
    cases,
    leads: { rita: rita!, kenji: kenji!, okoro: okoro! },
    campaign,
    campaigns: { nps: campaign, summerLaunch, holidayPromo },
    listViews,
  };
}

import type { Org } from './org.ts';
import type { StoredRecord } from './record-store.ts';
import { formatDateTime } from './values.ts';

/**
 * Who a token belongs to: the OpenID Connect userinfo body (/services/oauth2/userinfo) and the
 * identity URL's body (/id/{orgId}/{userId}, what jsforce's identity() reads).
 */

export function userInfo(org: Org, user: StoredRecord, base: string) {
  const identityUrl = `${base}/id/${org.id}/${user.Id}`;
  return {
    sub: identityUrl,
    user_id: user.Id,
    organization_id: org.id,
    preferred_username: user.Username,
    nickname: String(user.Alias ?? ''),
    name: user.Name,
    email: user.Email,
    email_verified: true,
    given_name: user.FirstName,
    family_name: user.LastName,
    zoneinfo: user.TimeZoneSidKey,
    photos: { picture: `${base}/profilephoto/005/F`, thumbnail: `${base}/profilephoto/005/T` },
    profile: `${base}/${user.Id}`,
    picture: `${base}/profilephoto/005/F`,
    address: {},
    is_salesforce_integration_user: false,
    urls: {
      enterprise: `${base}/services/Soap/c/{version}/${org.id.slice(0, 15)}`,
      partner: `${base}/services/Soap/u/{version}/${org.id.slice(0, 15)}`,
      rest: `${base}/services/data/v{version}/`,
      sobjects: `${base}/services/data/v{version}/sobjects/`,
      search: `${base}/services/data/v{version}/search/`,
      query: `${base}/services/data/v{version}/query/`,
      profile: `${base}/${user.Id}`,
      custom_domain: base,
    },
    active: user.IsActive,
    user_type: 'STANDARD',
    language: user.LanguageLocaleKey,
    locale: 'en_US',
    utcOffset: 0,
    updated_at: formatDateTime(user.LastModifiedDate as number),
    is_app_installed: true,
  };
}

export function identity(org: Org, user: StoredRecord, base: string) {
  const info = userInfo(org, user, base);
  const identityUrl = `${base}/id/${org.id}/${user.Id}`;
  return {
    id: identityUrl,
    asserted_user: true,
    user_id: user.Id,
    organization_id: org.id,
    username: user.Username,
    nick_name: info.nickname,
    display_name: user.Name,
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName,
    last_name: user.LastName,
    timezone: user.TimeZoneSidKey,
    photos: info.photos,
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: null,
    addr_zip: null,
    mobile_phone: user.MobilePhone,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: info.urls,
    active: user.IsActive,
    user_type: 'STANDARD',
    language: user.LanguageLocaleKey,
    locale: 'en_US',
    utcOffset: 0,
    last_modified_date: info.updated_at,
    is_app_installed: true,
  };
}

/** Handles /services/oauth2/* and /id/*, or null for other paths. */

import type { NotificationEvent, TicketPriority, TicketStatus } from './model.ts';

/**
 * The emails a ticket's owner receives, in the owner's language when their user has one (else
 * English). Plain text: it reads the same in every mail client and in the outbox.
 */

export const NOTIFICATION_LOCALES = ['en', 'fr', 'it', 'es', 'de'] as const;
export type NotificationLocale = (typeof NOTIFICATION_LOCALES)[number];

interface Catalogue {
  subject: Record<NotificationEvent, string>;
  hello: string;
  helloNoName: string;
  intro: Record<NotificationEvent, string>;
  account: string;
  contact: string;
  priority: string;
  due: string;
  status: string;
  open: string;
  noAccount: string;
  priorities: Record<TicketPriority, string>;
  statuses: Record<TicketStatus, string>;
}

const CATALOGUES: Record<NotificationLocale, Catalogue> = {
  en: {
    subject: {
      created: '{key} assigned to you: {title}',
      assigned: '{key} assigned to you: {title}',
      overdue: '{key} is overdue: {title}',
    },
    hello: 'Hello {name},',
    helloNoName: 'Hello,',
    intro: {
      created: 'A new ticket, {key}, is assigned to you.',
      assigned: 'Ticket {key} is now assigned to you.',
      overdue: 'Ticket {key} was due on {due} and is still {status}.',
    },
    account: 'Account',
    contact: 'Contact',
    priority: 'Priority',
    due: 'Due',
    status: 'Status',
    open: 'Open the ticket:',
    noAccount: 'You have no Rapport account yet: ask an administrator for one to open the ticket.',
    priorities: { low: 'low', normal: 'normal', high: 'high', urgent: 'urgent' },
    statuses: {
      open: 'open',
      in_progress: 'in progress',
      waiting: 'waiting',
      resolved: 'resolved',
      closed: 'closed',
    },
  },
  fr: {
    subject: {
      created: '{key} vous est assigné : {title}',
      assigned: '{key} vous est assigné : {title}',
      overdue: '{key} est en retard : {title}',
    },
    hello: 'Bonjour {name},',
    helloNoName: 'Bonjour,',
    intro: {
      created: 'Un nouveau ticket, {key}, vous est assigné.',
      assigned: 'Le ticket {key} vous est désormais assigné.',
      overdue: 'Le ticket {key} était dû le {due} et il est toujours {status}.',
    },
    account: 'Compte',
    contact: 'Contact',
    priority: 'Priorité',
    due: 'Échéance',
    status: 'Statut',
    open: 'Ouvrir le ticket :',
    noAccount:
      'Vous n’avez pas encore de compte Rapport : demandez-en un à un administrateur pour ouvrir le ticket.',
    priorities: { low: 'basse', normal: 'normale', high: 'haute', urgent: 'urgente' },
    statuses: {
      open: 'ouvert',
      in_progress: 'en cours',
      waiting: 'en attente',
      resolved: 'résolu',
      closed: 'fermé',
    },
  },
  it: {
    subject: {
      created: '{key} assegnato a te: {title}',
      assigned: '{key} assegnato a te: {title}',
      overdue: '{key} è in ritardo: {title}',
    },
    hello: 'Ciao {name},',
    helloNoName: 'Ciao,',
    intro: {
      created: 'Un nuovo ticket, {key}, è assegnato a te.',
      assigned: 'Il ticket {key} è ora assegnato a te.',
      overdue: 'Il ticket {key} scadeva il {due} ed è ancora {status}.',
    },
    account: 'Account',
    contact: 'Contatto',
    priority: 'Priorità',
    due: 'Scadenza',
    status: 'Stato',
    open: 'Apri il ticket:',
    noAccount: 'Non hai ancora un account Rapport: chiedine uno a un amministratore per aprire il ticket.',
    priorities: { low: 'bassa', normal: 'normale', high: 'alta', urgent: 'urgente' },
    statuses: {
      open: 'aperto',
      in_progress: 'in corso',
      waiting: 'in attesa',
      resolved: 'risolto',
      closed: 'chiuso',
    },
  },
  es: {
    subject: {
      created: '{key} asignado a usted: {title}',
      assigned: '{key} asignado a usted: {title}',
      overdue: '{key} está vencido: {title}',
    },
    hello: 'Hola {name}:',
    helloNoName: 'Hola:',
    intro: {
      created: 'Se le ha asignado un nuevo ticket, {key}.',
      assigned: 'El ticket {key} ahora está asignado a usted.',
      overdue: 'El ticket {key} vencía el {due} y sigue {status}.',
    },
    account: 'Cuenta',
    contact: 'Contacto',
    priority: 'Prioridad',
    due: 'Vencimiento',
    status: 'Estado',
    open: 'Abrir el ticket:',
    noAccount: 'Todavía no tiene una cuenta de Rapport: pida una a un administrador para abrir el ticket.',
    priorities: { low: 'baja', normal: 'normal', high: 'alta', urgent: 'urgente' },
    statuses: {
      open: 'abierto',
      in_progress: 'en curso',
      waiting: 'en espera',
      resolved: 'resuelto',
      closed: 'cerrado',
    },
  },
  de: {
    subject: {
      created: '{key} wurde Ihnen zugewiesen: {title}',
      assigned: '{key} wurde Ihnen zugewiesen: {title}',
      overdue: '{key} ist überfällig: {title}',
    },
    hello: 'Hallo {name},',
    helloNoName: 'Hallo,',
    intro: {
      created: 'Ein neues Ticket, {key}, wurde Ihnen zugewiesen.',
      assigned: 'Das Ticket {key} ist jetzt Ihnen zugewiesen.',
      overdue: 'Das Ticket {key} war am {due} fällig und ist immer noch {status}.',
    },
    account: 'Konto',
    contact: 'Kontakt',
    priority: 'Priorität',
    due: 'Fällig',
    status: 'Status',
    open: 'Ticket öffnen:',
    noAccount:
      'Sie haben noch kein Rapport-Konto: Bitten Sie einen Administrator um eines, um das Ticket zu öffnen.',
    priorities: { low: 'niedrig', normal: 'normal', high: 'hoch', urgent: 'dringend' },
    statuses: {
      open: 'offen',
      in_progress: 'in Bearbeitung',
      waiting: 'wartend',
      resolved: 'gelöst',
      closed: 'geschlossen',
    },
  },
};

export function notificationLocale(locale: string | null | undefined): NotificationLocale {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return (NOTIFICATION_LOCALES as readonly string[]).includes(base ?? '')
    ? (base as NotificationLocale)
    : 'en';
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

export interface NotificationContent {
  event: NotificationEvent;
  locale: NotificationLocale;
  key: string;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  dueAt: Date;
  ownerName: string | null;
  ownerHasAccount: boolean;
  accountName: string | null;
  contactName: string | null;
  url: string;
}

/** The subject and text of one notice. Dates are written in UTC: the owner's time zone is not known. */
export function renderNotification(c: NotificationContent): { subject: string; text: string } {
  const m = CATALOGUES[c.locale];
  const due = `${new Intl.DateTimeFormat(c.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(c.dueAt)} UTC`;
  const values = { key: c.key, title: c.title, due, status: m.statuses[c.status], name: c.ownerName ?? '' };
  const description = c.description.length > 1000 ? `${c.description.slice(0, 1000)}…` : c.description;
  const lines = [
    c.ownerName ? fill(m.hello, values) : m.helloNoName,
    '',
    fill(m.intro[c.event], values),
    '',
    `  ${c.key} · ${c.title}`,
    ...(c.accountName ? [`  ${m.account}: ${c.accountName}`] : []),
    ...(c.contactName ? [`  ${m.contact}: ${c.contactName}`] : []),
    `  ${m.priority}: ${m.priorities[c.priority]}`,
    `  ${m.due}: ${due}`,
    ...(c.event === 'overdue' ? [] : [`  ${m.status}: ${m.statuses[c.status]}`]),
    ...(description.trim() ? ['', description.trim()] : []),
    '',
    m.open,
    c.url,
    ...(c.ownerHasAccount ? [] : ['', m.noAccount]),
    '',
  ];
  return { subject: fill(m.subject[c.event], values), text: lines.join('\n') };
}

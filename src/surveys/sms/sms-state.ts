/**
 * The stored form of an SMS conversation: plain JSON for one database row, everything needed to
 * carry on when the next text arrives (the definition is the caller's: the survey version the
 * conversation started on).
 */

export type ConversationStatus =
  /** Waiting for a reply to `question`. */
  | 'active'
  | 'completed'
  /** The contact replied STOP (or a synonym): the caller records the SMS opt-out. */
  | 'opted_out'
  /** No reply within the idle time. */
  | 'expired'
  /** Ended after repeated invalid replies to a required question. */
  | 'abandoned';

export type ReplyOutcome = 'continue' | 'completed' | 'opted_out' | 'help' | 'invalid' | 'expired';

export interface ConversationState {
  version: 1;
  status: ConversationStatus;
  /** The survey language it runs in (survey texts and bot texts). */
  locale: string;
  /** Embedded data and contact fields: piped text ({firstName}) and display logic ({role}). */
  embedded: Record<string, unknown>;
  /** The question waiting for a reply. */
  question: string | null;
  /** 'other': the choice "Other" was picked and its text is awaited (stored as "<question>-Comment"). */
  step: 'answer' | 'other';
  /** Invalid replies to the current question so far. */
  retries: number;
  /** The respondent's answers, as SurveyJS stores them; on completion, as checkAnswers keeps them. */
  answers: Record<string, unknown>;
  /**
   * Questions left behind without an answer, never asked again unless completion needs them:
   * optional ones skipped, html elements already sent, questions a skip trigger jumped over.
   */
  passed: string[];
  startedAt: string;
  lastActivityAt: string;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Invalid replies re-asked per question; one more gives up on it (skipped if optional, else the end). */
export const MAX_RETRIES = 3;

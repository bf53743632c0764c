import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Company, Role, User, Wallet } from './types.js';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the user's role includes `role` (viewer < operator < admin). The API refuses anyway. */
export const can = (user: User, role: Role): boolean => RANK[user.role] >= RANK[role];

export interface ConsoleState {
  user: User;
  /** A platform user's chosen company ('' = all); a company user's own, always. */
  companyId: string;
  setCompanyId(companyId: string): void;
  /** The companies the user sees (a platform user: all). */
  companies: Company[];
  reloadCompanies(): void;
  /** GET /wallets: the payment types and what their forms ask; null until known or when absent. */
  wallets: Wallet[] | null;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (state === null) throw new Error('useConsole outside the console');
  return state;
}

/** `company_id` for a platform user's list calls (a company user's is ignored by the API). */
export const scopeQuery = (s: ConsoleState): Record<string, string> =>
  s.user.company_id === null && s.companyId !== '' ? { company_id: s.companyId } : {};

/**
 * The company a change acts on: a company user's own; a platform user's choice, or null when
 * "all companies" is chosen (the page asks them to choose one).
 */
export const targetCompany = (s: ConsoleState): string | null =>
  s.user.company_id ?? (s.companyId === '' ? null : s.companyId);

/**
 * What a change's body says of its company: a platform user names the one chosen (the page
 * asks for one before offering the change); a company user's is its own, said by the session.
 */
export const companyBody = (s: ConsoleState): { company_id?: string } => {
  const company = targetCompany(s);
  return s.user.company_id === null && company !== null ? { company_id: company } : {};
};

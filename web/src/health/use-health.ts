import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { useCurrentUser } from '../auth/session.ts';
import { HEALTH_KEY } from './parts.tsx';
import type { HealthList, HealthSort, HealthSummary, Scope } from './types.ts';

/** The command center's filters, as they live in the URL. */
export interface HealthFilters {
  q: string;
  risk: string[];
  band: string[];
  /** An account owner's email (teamMember with teamRole ACCOUNT_OWNER). */
  owner: string;
  /** Only the accounts whose team has the signed-in user. */
  mine: boolean;
  teamRole: string | null;
  topLevel: boolean;
  /** "Name:value" */
  attribute: string;
  /** Only accounts with neither a response nor a survey sent in this many days (30, 60, 90). */
  inactiveDays: number | null;
  sort: HealthSort;
  scope: Scope;
}

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

export function useHealthFilters() {
  const [params, setParams] = useSearchParams();
  const filters: HealthFilters = {
    q: params.get('q') ?? '',
    risk: list(params.get('risk')),
    band: list(params.get('band')),
    owner: params.get('owner') ?? '',
    mine: params.get('mine') === '1',
    teamRole: params.get('teamRole'),
    topLevel: params.get('level') === '0',
    attribute: params.get('attribute') ?? '',
    inactiveDays: Number(params.get('inactive')) > 0 ? Number(params.get('inactive')) : null,
    sort: (params.get('sort') as HealthSort | null) ?? 'risk',
    scope: params.get('scope') === 'subtree' ? 'subtree' : 'own',
  };
  const set = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        return next;
      },
      { replace: true },
    );
  const active = [
    'q',
    'risk',
    'band',
    'owner',
    'mine',
    'teamRole',
    'level',
    'attribute',
    'inactive',
    'scope',
    'sort',
  ].some((key) => params.has(key));
  const clear = () => setParams(new URLSearchParams(), { replace: true });
  return { filters, set, active, clear };
}

/**
 * The API's query for the filters. The population (who, where, which scope) and the selection
 * (risk, band, search) are apart: the KPI strip counts the population by risk.
 */
export function useHealthQuery(filters: HealthFilters) {
  const me = useCurrentUser();
  const [name, ...rest] = filters.attribute.split(':');
  const value = rest.join(':');
  const population = {
    scope: filters.scope,
    teamMember: filters.owner || (filters.mine ? me.email : undefined),
    teamRole: filters.owner ? 'ACCOUNT_OWNER' : (filters.teamRole ?? undefined),
    level: filters.topLevel ? 0 : undefined,
    attribute: name && value ? `${name}:${value}` : undefined,
    inactiveDays: filters.inactiveDays ?? undefined,
  };
  const selection = {
    risk: filters.risk.join(',') || undefined,
    band: filters.band.join(',') || undefined,
    q: filters.q.trim() || undefined,
    sort: filters.sort,
  };
  return { population, selection };
}

export type Population = ReturnType<typeof useHealthQuery>['population'];

export const HEALTH_PAGE_SIZE = 50;

export function useHealthPage(directoryId: number, query: ReturnType<typeof useHealthQuery>, offset: number) {
  return useQuery({
    queryKey: [HEALTH_KEY, 'list', directoryId, query, offset],
    queryFn: () =>
      api.get<HealthList>(`/directories/${directoryId}/account-health`, {
        ...query.population,
        ...query.selection,
        limit: HEALTH_PAGE_SIZE,
        offset,
      }),
    placeholderData: keepPreviousData,
  });
}

/** The KPI strip's figures, counted by the server over the population (not the selection). */
export function useHealthSummary(directoryId: number, population: Population) {
  return useQuery({
    queryKey: [HEALTH_KEY, 'summary', directoryId, population],
    queryFn: () =>
      api.get<HealthSummary>(`/directories/${directoryId}/account-health/summary`, { ...population }),
    placeholderData: keepPreviousData,
  });
}

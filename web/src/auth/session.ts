import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../api/client.ts';
import type { Permission, User } from '../api/types.ts';

export const ME_KEY = ['auth', 'me'] as const;

/** The signed-in user, or null when there is no session (a 401 is an answer here, not an error). */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return (await api.get<{ user: User }>('/auth/me')).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useCurrentUser(): User {
  const { data } = useMe();
  if (!data) throw new Error('useCurrentUser outside a signed-in frame');
  return data;
}

export function useCan(permission: Permission): boolean {
  const { data } = useMe();
  return data?.permissions.includes(permission) ?? false;
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    await api.post('/auth/logout').catch(() => {});
    client.clear();
    client.setQueryData(ME_KEY, null);
  };
}

import { Anchor, Box, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { TreeNode } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';

/**
 * The hierarchy around an account: from its top-level ancestor down to two levels below it.
 * Deeper branches show their size and open on their own page.
 */
export function AccountTree({
  rootId,
  currentId,
  depth,
}: {
  rootId: number;
  currentId: number;
  depth: number;
}) {
  const { t } = useTranslation();
  const tree = useQuery({
    queryKey: ['account-tree', rootId, depth],
    queryFn: () => api.get<{ items: TreeNode[] }>(`/accounts/${rootId}/tree`, { depth: Math.min(depth, 10) }),
  });
  if (tree.isPending) return <Loading />;
  if (tree.isError) return <ErrorState error={tree.error} />;

  const children = new Map<number | null, TreeNode[]>();
  for (const node of tree.data.items) {
    const key = node.id === rootId ? null : node.parentId;
    children.set(key, [...(children.get(key) ?? []), node]);
  }

  const render = (node: TreeNode) => {
    const kids = children.get(node.id) ?? [];
    const hidden = node.childCount - kids.length;
    return (
      <Box key={node.id} component="li" data-testid={`tree-node-${node.id}`}>
        {node.id === currentId ? (
          <Text span fw={700} aria-current="true">
            {node.displayName}
          </Text>
        ) : (
          <Anchor component={Link} to={`/accounts/${node.id}`}>
            {node.displayName}
          </Anchor>
        )}
        {hidden > 0 && (
          <Text span size="xs" c="dimmed">
            {' '}
            (+{hidden} {t('accounts.children').toLowerCase()})
          </Text>
        )}
        {kids.length > 0 && (
          <Box
            component="ul"
            pl="md"
            style={{ listStyle: 'none', borderLeft: '1px solid var(--mantine-color-gray-4)' }}
          >
            {kids.map(render)}
          </Box>
        )}
      </Box>
    );
  };

  return (
    <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="account-tree">
      {(children.get(null) ?? []).map(render)}
    </Box>
  );
}

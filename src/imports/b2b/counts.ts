/** What an import did to one kind of record. */
export interface ObjectCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

export const emptyCounts = (): ObjectCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  rejected: 0,
});

// A stand-in for @types/pg (not a dependency here), mapped to 'pg' by ../tsconfig.pg-typed.json:
// only the members the check below reads, which PgClientLike does not have, so that a fallback to
// PgClientLike fails to compile.
export interface QueryResult<R = any> {
  rows: R[];
  rowCount: number | null;
  command: string;
}
export interface PoolClient {
  query(text: string, values?: unknown[]): Promise<QueryResult>;
  release(err?: Error | boolean): void;
  processID: number;
}

export interface Cluster {
  /** The admin URL (a Unix socket in the cluster's own directory). */
  readonly url: string;
  /** The data directory, for pg_ctl. */
  readonly data: string;
  /** The directory of initdb and pg_ctl. */
  readonly bin: string;
  stop(): void;
}
export function postgresBinaries(): string;
export function asServerUser(command: string, args: readonly string[]): [string, string[]];
export function startCluster(bin: string, options?: { durable?: boolean }): Cluster;

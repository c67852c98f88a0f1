import { statSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { sqlitePath, type Db } from '../db/index.js';
import { NotFoundError, ValidationError } from '../errors/index.js';

/** What stands in for a secret in every inspector answer. */
export const REDACTED = '[redacted]';

/**
 * Columns whose values never leave the server, with why. Every column whose name looks like a secret
 * ({@link SECRET_LIKE}) must be here or in {@link NOT_SECRET_COLUMNS}; a test holds both against the schema.
 */
export const SECRET_COLUMNS: Readonly<Record<string, string>> = {
  'users.password_hash': 'a password hash can be attacked offline',
  'refresh_tokens.token_hash': 'a refresh token hash identifies a live session',
  'app_passwords.token_hash': 'an app password hash can be attacked offline',
  // Not a credential, but whoever holds a WebDAV lock token may write through the lock: redacted to be safe.
  'locks.token': 'a WebDAV lock token lets its holder write through the lock',
  // Two-factor login, where present.
  'totp_enrolments.secret_sealed': 'a sealed TOTP secret; sealed, but never shown',
  'totp_recovery_codes.code_hash': 'a recovery code hash can be attacked offline',
};

/** Columns whose names look like secrets but hold none, with why. */
export const NOT_SECRET_COLUMNS: Readonly<Record<string, string>> = {};

/** Column names that look like they hold a secret. */
export const SECRET_LIKE = /(hash|secret|token|password|totp|recovery)/i;

/**
 * Settings rows whose `value` is a secret, or holds one: the notification channels (webhook secrets, the SMTP
 * password). Any other key that looks like a secret is redacted too.
 */
export const SECRET_SETTINGS: readonly string[] = ['notifications.channels'];
const SECRET_SETTING_KEY = /(secret|token|password|credential|key$)/i;

export interface TableInfo {
  readonly name: string;
  readonly rowCount: number;
  /** Bytes the table and its indexes take; null when the database cannot tell. */
  readonly sizeBytes: number | null;
}

export interface TablesView {
  readonly client: 'sqlite' | 'postgres';
  /** The SQLite file's size; null on PostgreSQL. */
  readonly fileSizeBytes: number | null;
  readonly tables: readonly TableInfo[];
}

export interface RowsQuery {
  readonly offset: number;
  readonly limit: number;
  readonly sort?: string | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
  readonly filterColumn?: string | undefined;
  readonly filterValue?: string | undefined;
}

export interface RowsView {
  readonly table: string;
  /** isRedacted: always redacted; canFilter: may be sorted and filtered on (settings.value is redacted for some keys). */
  readonly columns: readonly {
    readonly name: string;
    readonly isRedacted: boolean;
    readonly canFilter: boolean;
  }[];
  readonly rows: readonly Record<string, unknown>[];
  /** Rows matching the filter. */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

/**
 * A read-only look at the database for admins: every table with its row count and size, and any table's rows a
 * page at a time, sorted and filtered by one column. Table and column names are checked against the live schema
 * and passed as identifier bindings, never spliced into SQL. Secret columns ({@link SECRET_COLUMNS}) and secret
 * settings ({@link SECRET_SETTINGS}) come out as {@link REDACTED}, and can be neither sorted nor filtered on.
 */
export class DbInspector {
  private readonly client: 'sqlite' | 'postgres';

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {
    this.client = config.databaseUrl === undefined ? 'sqlite' : 'postgres';
  }

  /** The tables of the current schema, by name. */
  async tableNames(): Promise<string[]> {
    const rows =
      this.client === 'sqlite'
        ? await this.raw<{ name: string }>(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
          )
        : await this.raw<{ name: string }>(
            "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name",
          );
    return rows.map((r) => r.name);
  }

  /** A table's columns, in order. @throws NotFoundError for a table that does not exist. */
  async columns(table: string): Promise<string[]> {
    if (!(await this.tableNames()).includes(table)) throw new NotFoundError(`No table ${table}.`);
    const rows =
      this.client === 'sqlite'
        ? await this.raw<{ name: string }>('select name from pragma_table_info(?) order by cid', [table])
        : await this.raw<{ name: string }>(
            'select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ? order by ordinal_position',
            [table],
          );
    return rows.map((r) => r.name);
  }

  async tables(): Promise<TablesView> {
    const names = await this.tableNames();
    const hasDbstat = this.client === 'sqlite' && (await this.hasDbstat());
    const tables: TableInfo[] = [];
    for (const name of names) {
      const count = await this.raw<{ n: number | string }>('select count(*) as n from ??', [name]);
      let sizeBytes: number | null = null;
      if (this.client === 'postgres') {
        const r = await this.raw<{ size: number | string }>(
          "select pg_total_relation_size(quote_ident(current_schema()) || '.' || quote_ident(?)) as size",
          [name],
        );
        sizeBytes = Number(r[0]?.size ?? 0);
      } else if (hasDbstat) {
        const r = await this.raw<{ size: number | null }>(
          "select sum(pgsize) as size from dbstat where name in (select name from sqlite_master where tbl_name = ? and type in ('table', 'index'))",
          [name],
        );
        sizeBytes = r[0]?.size ?? 0;
      }
      tables.push({ name, rowCount: Number(count[0]?.n ?? 0), sizeBytes });
    }
    let fileSizeBytes: number | null = null;
    if (this.client === 'sqlite') {
      try {
        fileSizeBytes = statSync(sqlitePath(this.config)).size;
      } catch {
        fileSizeBytes = null;
      }
    }
    return { client: this.client, fileSizeBytes, tables };
  }

  /**
   * A page of a table's rows, secrets redacted.
   * @throws NotFoundError for an unknown table; ValidationError for an unknown column, or sorting or filtering
   * on a redacted one.
   */
  async rows(table: string, q: RowsQuery): Promise<RowsView> {
    const columns = await this.columns(table);
    const redacted = new Set(columns.filter((c) => isRedactedColumn(table, c)));
    const check = (column: string, what: string) => {
      if (!columns.includes(column)) {
        throw new ValidationError(`${what}: ${table} has no column ${column}; it has ${columns.join(', ')}.`);
      }
      if (redacted.has(column) || (table === 'settings' && column === 'value')) {
        throw new ValidationError(
          `${what}: ${table}.${column} holds secrets and cannot be sorted or filtered on.`,
        );
      }
    };
    if (q.sort !== undefined) check(q.sort, 'sort');
    let where = '';
    const whereBindings: unknown[] = [];
    if (q.filterColumn !== undefined) {
      check(q.filterColumn, 'filterColumn');
      // A substring, case-insensitive; LIKE's wildcards in the value are taken literally.
      const pattern = `%${(q.filterValue ?? '').toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where = " where lower(cast(?? as text)) like ? escape '\\'";
      whereBindings.push(q.filterColumn, pattern);
    }
    const total = await this.raw<{ n: number | string }>(`select count(*) as n from ??${where}`, [
      table,
      ...whereBindings,
    ]);
    // Aliased c0, c1...: the database's snake_case mappers leave those alone, so the answer keys are the columns.
    const select = columns.map((_, i) => `?? as c${String(i)}`).join(', ');
    const order = q.sort === undefined ? '' : ` order by ?? ${q.order === 'desc' ? 'desc' : 'asc'}`;
    const raw = await this.raw<Record<string, unknown>>(
      `select ${select} from ??${where}${order} limit ? offset ?`,
      [...columns, table, ...whereBindings, ...(q.sort === undefined ? [] : [q.sort]), q.limit, q.offset],
    );
    const keyOfSetting = columns.indexOf('key');
    const rows = raw.map((r) => {
      const out: Record<string, unknown> = {};
      const isSecretRow =
        table === 'settings' && keyOfSetting >= 0 && isSecretSetting(String(r[`c${String(keyOfSetting)}`]));
      columns.forEach((c, i) => {
        const value = r[`c${String(i)}`];
        out[c] =
          redacted.has(c) || (isSecretRow && c === 'value') ? (value === null ? null : REDACTED) : value;
      });
      return out;
    });
    return {
      table,
      columns: columns.map((name) => ({
        name,
        isRedacted: redacted.has(name),
        canFilter: !redacted.has(name) && !(table === 'settings' && name === 'value'),
      })),
      rows,
      total: Number(total[0]?.n ?? 0),
      offset: q.offset,
      limit: q.limit,
    };
  }

  private async hasDbstat(): Promise<boolean> {
    try {
      await this.raw('select 1 from dbstat limit 1');
      return true;
    } catch {
      return false;
    }
  }

  private async raw<T>(sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
    const result = (await this.db.raw(sql, bindings as never)) as unknown;
    // better-sqlite3 answers an array of rows, pg a result with `rows`.
    return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  }
}

/** Whether a column's values are redacted. */
export function isRedactedColumn(table: string, column: string): boolean {
  return `${table}.${column}` in SECRET_COLUMNS;
}

/** Whether a settings row's value is redacted. */
export function isSecretSetting(key: string): boolean {
  return SECRET_SETTINGS.includes(key) || SECRET_SETTING_KEY.test(key);
}

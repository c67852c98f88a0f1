import { type HttpEvent, HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, catchError, from, map, switchMap, throwError } from 'rxjs';

// Shapes of BaluHost's API (server/src/api/routes/*.ts; /api/openapi.json is the reference).

export type Role = 'admin' | 'user';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly role: Role;
  readonly disabled: boolean;
  /** Quota in bytes; null means no quota. */
  readonly quotaBytes: number | null;
  readonly smbEnabled: boolean;
  readonly groups: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly user: User;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role?: Role;
  readonly email?: string | null;
  readonly groups?: readonly string[];
  readonly quotaBytes?: number | null;
  readonly smbEnabled?: boolean;
}

export interface UserChanges {
  readonly email?: string | null;
  readonly role?: Role;
  readonly groups?: readonly string[];
  readonly quotaBytes?: number | null;
  readonly disabled?: boolean;
  readonly smbEnabled?: boolean;
}

export interface Group {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly members: readonly string[];
  readonly createdAt: string;
}

export interface NewGroup {
  readonly name: string;
  readonly description?: string;
  readonly members?: readonly string[];
}

export type GroupChanges = Partial<NewGroup>;

export type AuditProtocol = 'api' | 'webdav' | 'smb' | 'cli' | 'system';
export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string | null;
  readonly actorId: number | null;
  readonly address: string | null;
  readonly protocol: string;
  readonly action: string;
  readonly target: string | null;
  readonly result: string;
  readonly details: Readonly<Record<string, unknown>> | null;
}

/** Filters of GET /api/audit; `from` and `to` are ISO-8601 date-times. */
export interface AuditFilters {
  readonly actor?: string;
  readonly action?: string;
  readonly protocol?: AuditProtocol;
  readonly result?: AuditResult;
  readonly from?: string;
  readonly to?: string;
}

export interface AuditQuery extends AuditFilters {
  /** The nextCursor of a previous page: entries older than it. */
  readonly cursor?: number;
  readonly limit?: number;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor: number | null;
}

export interface Health {
  readonly status: 'ok';
  readonly version: string;
}

export type FileType = 'file' | 'directory';

/** One entry of the storage namespace: `/home/…`, `/<share>/…`, and for admins `/homes/<user>/…`. */
export interface FileEntry {
  readonly path: string;
  readonly name: string;
  readonly type: FileType;
  readonly size: number;
  readonly modified: string;
  readonly created: string;
  readonly etag: string;
  readonly contentType: string;
  readonly owner: string | null;
  readonly canModify: boolean;
}

export type FileSort = 'name' | 'size' | 'modified' | 'type';
export type SortOrder = 'asc' | 'desc';

export interface FileListQuery {
  readonly path: string;
  readonly sort: FileSort;
  readonly order: SortOrder;
  readonly offset: number;
  readonly limit: number;
}

/** A page of a folder; folders come first whatever the order. */
export interface FileList {
  readonly path: string;
  readonly total: number;
  readonly items: readonly FileEntry[];
}

export interface Usage {
  readonly usedBytes: number;
  /** Null: no quota. */
  readonly quotaBytes: number | null;
  readonly availableBytes: number;
}

export type ShareAccess = 'read' | 'write';

export interface ShareAclEntry {
  readonly type: 'user' | 'group';
  readonly name: string;
  readonly access: ShareAccess;
}

export interface Share {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly quotaBytes: number | null;
  readonly usedBytes: number;
  readonly acl: readonly ShareAclEntry[];
  /** Non-admins only: the caller's own access. */
  readonly access?: ShareAccess;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewShare {
  readonly name: string;
  readonly description?: string;
  readonly quotaBytes?: number | null;
  readonly acl?: readonly ShareAclEntry[];
}

export type ShareChanges = Partial<NewShare>;

export interface AppPassword {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** The answer to creating an app password: the password itself, shown this once. */
export interface CreatedAppPassword extends AppPassword {
  readonly password: string;
}

// --- hardware (server/src/api/routes/hardware-routes.ts): reads for every user, changes for admins ---

export type HardwareMode = 'simulated' | 'real';
export type RaidState =
  'clean' | 'degraded' | 'recovering' | 'resyncing' | 'checking' | 'reshaping' | 'inactive';

export interface RaidMember {
  readonly device: string;
  readonly role: 'active' | 'spare' | 'faulty';
  readonly slot: number | null;
  readonly isRebuilding: boolean;
}

export interface RaidSync {
  readonly action: 'resync' | 'recover' | 'check' | 'repair' | 'reshape';
  readonly progressPercent: number;
  readonly speedBytesPerSecond: number | null;
  readonly finishSeconds: number | null;
}

export interface RaidArray {
  readonly name: string;
  readonly level: string;
  readonly state: RaidState;
  readonly isDegraded: boolean;
  readonly sizeBytes: number;
  readonly raidDevices: number | null;
  readonly members: readonly RaidMember[];
  readonly sync: RaidSync | null;
}

export interface RaidDisk {
  readonly device: string;
  readonly sizeBytes: number;
  readonly isSystemDisk: boolean;
  readonly arrayName: string | null;
}

export interface RaidSpeedLimits {
  readonly minBytesPerSecond: number;
  readonly maxBytesPerSecond: number;
}

export interface RaidOverview {
  readonly mode: HardwareMode;
  readonly arrays: readonly RaidArray[];
  readonly disks: readonly RaidDisk[];
  readonly speedLimits: RaidSpeedLimits;
}

export type SmartHealth = 'PASSED' | 'FAILED' | 'UNKNOWN';

export interface SmartSelfTestStatus {
  readonly isRunning: boolean;
  readonly remainingPercent: number | null;
  readonly log: readonly {
    readonly type: string;
    readonly status: string;
    readonly isPassed: boolean | null;
    readonly lifetimeSeconds: number | null;
  }[];
}

export interface SmartSummary {
  readonly device: string;
  readonly type: string;
  readonly protocol: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly capacityBytes: number | null;
  readonly health: SmartHealth;
  readonly temperatureCelsius: number | null;
  readonly powerOnSeconds: number | null;
  readonly warnings: readonly string[];
  readonly isSelfTestRunning: boolean;
  readonly error: string | null;
}

export interface SmartAttribute {
  readonly id: number;
  readonly name: string;
  readonly value: number;
  readonly worst: number;
  readonly thresh: number;
  readonly raw: number;
  readonly rawString: string;
  readonly isPrefailure: boolean;
  readonly isFailingNow: boolean;
  readonly hasFailedInPast: boolean;
}

export interface SmartReport {
  readonly device: string;
  readonly protocol: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string | null;
  readonly capacityBytes: number | null;
  readonly rotationRpm: number | null;
  readonly health: SmartHealth;
  readonly temperatureCelsius: number | null;
  readonly powerOnSeconds: number | null;
  readonly powerCycles: number | null;
  readonly attributes: readonly SmartAttribute[];
  readonly selfTest: SmartSelfTestStatus;
  readonly warnings: readonly string[];
}

export type PowerProfileName = 'powersave' | 'balanced' | 'performance';

export interface PowerCpu {
  readonly cpu: number;
  readonly governor: string | null;
  readonly energyPerformancePreference: string | null;
  readonly currentHz: number | null;
  readonly minHz: number | null;
  readonly maxHz: number | null;
  readonly hardwareMinHz: number | null;
  readonly hardwareMaxHz: number | null;
}

export interface PowerOverview {
  readonly mode: HardwareMode;
  readonly status: {
    readonly scalingDriver: string | null;
    readonly governor: string | null;
    readonly availableGovernors: readonly string[];
    readonly energyPerformancePreference: string | null;
    readonly availableEnergyPerformancePreferences: readonly string[];
    readonly hardwareMinHz: number | null;
    readonly hardwareMaxHz: number | null;
    readonly cpus: readonly PowerCpu[];
    readonly activeProfile: PowerProfileName | null;
  };
  readonly profiles: readonly {
    readonly name: PowerProfileName;
    readonly governor: string;
    readonly energyPerformancePreference: string | null;
    readonly minHz: number | null;
    readonly maxHz: number | null;
  }[];
}

export interface Fan {
  readonly id: string;
  readonly chip: string;
  readonly label: string;
  readonly rpm: number | null;
  readonly pwm: number | null;
  readonly pwmPercent: number | null;
  readonly mode: 'manual' | 'auto' | 'full' | 'unknown';
  readonly isControllable: boolean;
}

export interface FanCurvePoint {
  readonly temperatureCelsius: number;
  readonly pwmPercent: number;
}

export interface FanCurve {
  readonly points: readonly FanCurvePoint[];
  readonly hysteresisCelsius: number;
  readonly minPwmPercent: number;
  readonly maxPwmPercent: number;
}

export type FanCurveInput =
  { readonly kind: 'sensor'; readonly sensorId: string } | { readonly kind: 'hottest-disk' };

export interface FanCurveView {
  readonly fanId: string;
  readonly curve: FanCurve;
  readonly input: FanCurveInput;
  readonly isActive: boolean;
}

export interface FansOverview {
  readonly mode: HardwareMode;
  readonly fans: readonly Fan[];
  readonly sensors: readonly {
    readonly id: string;
    readonly chip: string;
    readonly label: string;
    readonly celsius: number | null;
  }[];
  readonly curves: readonly FanCurveView[];
}

export type TelemetryMetric =
  | 'cpu.percent'
  | 'memory.used_bytes'
  | 'network.rx_bytes_per_second'
  | 'network.tx_bytes_per_second'
  | 'disk.read_bytes_per_second'
  | 'disk.write_bytes_per_second'
  | 'energy.power_watts';
export type TelemetryRange = '1h' | '24h' | '7d' | '30d';

export interface TelemetryHistory {
  readonly metric: TelemetryMetric;
  readonly range: TelemetryRange;
  readonly resolution: 'raw' | 'minute' | 'hour';
  readonly points: readonly { readonly at: string; readonly value: number }[];
}

// --- energy (server/src/api/routes/energy-routes.ts): reading for every user, settings for admins ---

/** The energy plug's reading and its cost (GET /api/energy). */
export interface EnergyStatus {
  readonly backend: 'simulated' | 'real';
  /** False while a real (Tapo) plug has no address or account: every reading is then null. */
  readonly configured: boolean;
  readonly plug: {
    readonly id: string;
    readonly name: string | null;
    readonly model: string | null;
    readonly isOn: boolean | null;
  } | null;
  readonly powerWatts: number | null;
  readonly todayKwh: number | null;
  readonly monthKwh: number | null;
  readonly costToday: number | null;
  readonly costMonth: number | null;
  readonly pricePerKwh: number;
  readonly currency: string;
  readonly readAt: string | null;
}

/** The energy settings; the Tapo account is never shown, only whether one is stored. */
export interface EnergySettings {
  readonly plugHost: string | null;
  readonly hasCredentials: boolean;
  readonly pricePerKwh: number;
  readonly currency: string;
}

/** A change of the energy settings; `username` and `password` go together. */
export interface EnergySettingsUpdate {
  readonly plugHost?: string | null;
  readonly username?: string;
  readonly password?: string;
  readonly pricePerKwh?: number;
  readonly currency?: string;
}

// --- scheduler (server/src/api/routes/scheduler-routes.ts): admins ---

export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SchedulerExecution {
  readonly id: number;
  readonly job: string;
  readonly trigger: 'manual' | 'schedule' | 'catch-up' | 'retry';
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: ExecutionStatus;
  readonly summary: Readonly<Record<string, unknown>> | null;
  readonly error: string | null;
  readonly retryOf: number | null;
}

export interface SchedulerJob {
  readonly job: string;
  readonly description: string;
  readonly schedule: string;
  readonly defaultSchedule: string;
  readonly enabled: boolean;
  readonly options: Readonly<Record<string, unknown>>;
  readonly nextRunAt: string | null;
  readonly lastExecution: SchedulerExecution | null;
}

export interface SchedulerJobUpdated extends SchedulerJob {
  /** The next five run times under the (new) schedule. */
  readonly nextRuns: readonly string[];
}

export interface ExecutionQuery {
  readonly job?: string;
  readonly status?: ExecutionStatus;
  readonly cursor?: number;
  readonly limit?: number;
}

export interface ExecutionPage {
  readonly items: readonly SchedulerExecution[];
  readonly nextCursor: number | null;
}

// --- notifications and SMB: admins ---

export interface AppNotification {
  readonly id: number;
  readonly at: string;
  readonly severity: string;
  readonly rule: string;
  readonly title: string;
  readonly body: string;
  readonly readAt: string | null;
  readonly resolvedAt: string | null;
}

export interface NotificationPage {
  readonly items: readonly AppNotification[];
  readonly nextCursor: number | null;
}

export interface NotificationChannels {
  readonly webhooks: readonly { readonly url: string; readonly hasSecret: boolean }[];
  readonly email?: {
    readonly host: string;
    readonly port: number;
    readonly security: EmailSecurity;
    readonly username?: string;
    /** REDACTED_SECRET when one is stored. */
    readonly password?: string;
    readonly from: string;
    readonly to: readonly string[];
  };
}

export interface ChannelTestResult {
  readonly channel: string;
  readonly ok: boolean;
  readonly error: string | null;
}

export interface SmbSettings {
  readonly enabled: boolean;
  readonly workgroup: string;
  readonly serverString: string;
  readonly port: number;
  readonly interfaces: readonly string[];
}

export interface SmbStatus {
  readonly enabled: boolean;
  readonly running: boolean;
  readonly pid: number | null;
  readonly version: string | null;
  readonly port: number;
  readonly interfaces: readonly string[];
  readonly sessions: readonly {
    readonly sessionId: string;
    readonly username: string;
    readonly address: string;
    readonly dialect: string | null;
    readonly encrypted: boolean;
    readonly shares: readonly string[];
  }[];
  readonly openFiles: readonly { readonly path: string }[];
  readonly usersWithoutPassword: readonly string[];
  readonly overQuota: readonly string[];
  readonly lastError: string | null;
}

// --- services (server/src/api/routes/services-routes.ts): admins ---

export type ServiceState = 'running' | 'degraded' | 'stopped' | 'disabled';
export type HardwareFamily = 'raid' | 'smart' | 'power' | 'fans' | 'telemetry' | 'energy';

/** One part of the server: `http`, `webdav`, `smb`, `scheduler`, `telemetry`, `database`, `hardware.<family>`. */
export interface ServiceStatus {
  readonly name: string;
  readonly state: ServiceState;
  /** When it entered this state, ISO. */
  readonly since: string;
  readonly lastError: string | null;
  readonly figures: Readonly<Record<string, string | number | boolean | null>>;
}

// --- two-factor login (server/src/api/routes/totp-routes.ts) ---

export interface TotpStatus {
  readonly enabled: boolean;
  /** Enrolment started and not confirmed yet. */
  readonly pending: boolean;
  readonly recoveryCodesLeft: number;
}

export interface TotpEnrolment {
  /** The shared secret in base32, to type into an authenticator app. */
  readonly secret: string;
  readonly otpauthUri: string;
}

/** The second factor sent with a login: a code from the app or a single-use recovery code. */
export type SecondFactor = { readonly totpCode: string } | { readonly recoveryCode: string };

/** What PUT /api/notifications/channels takes; an email password of REDACTED_SECRET keeps the stored one. */
export interface NotificationChannelsInput {
  readonly webhooks: readonly { readonly url: string; readonly secret?: string }[];
  readonly email: {
    readonly host: string;
    readonly port: number;
    readonly security: EmailSecurity;
    readonly username?: string;
    readonly password?: string;
    readonly from: string;
    readonly to: readonly string[];
  } | null;
}

export type EmailSecurity = 'tls' | 'starttls' | 'none';

/** What the server answers in place of a stored SMTP password. */
export const REDACTED_SECRET = '********';

export type RaidLevel = 'raid0' | 'raid1' | 'raid5' | 'raid6' | 'raid10';

export interface NewRaidArray {
  readonly name: string;
  readonly level: RaidLevel;
  readonly devices: readonly string[];
  readonly spares?: readonly string[];
}

export const API_BASE = '/api';

/** The one typed client of BaluHost's REST API; the auth interceptor adds the bearer token. */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  /** 401 TOTP_REQUIRED: the password was right, send a second factor with it. */
  login(username: string, password: string, secondFactor?: SecondFactor): Observable<Session> {
    return this.http.post<Session>(`${API_BASE}/auth/login`, { username, password, ...secondFactor });
  }

  /** Trades a refresh token for a new pair; the old refresh token stops working. */
  refresh(refreshToken: string): Observable<Session> {
    return this.http.post<Session>(`${API_BASE}/auth/refresh`, { refreshToken });
  }

  logout(refreshToken: string | null): Observable<void> {
    return noContent(
      this.http.post(`${API_BASE}/auth/logout`, refreshToken === null ? {} : { refreshToken }),
    );
  }

  me(): Observable<User> {
    return this.http.get<User>(`${API_BASE}/auth/me`);
  }

  /** Every session of the caller ends on success. */
  changeOwnPassword(oldPassword: string, newPassword: string): Observable<void> {
    return noContent(this.http.put(`${API_BASE}/me/password`, { oldPassword, newPassword }));
  }

  health(): Observable<Health> {
    return this.http.get<Health>(`${API_BASE}/health`);
  }

  listUsers(limit: number, offset: number): Observable<Page<User>> {
    const params = new HttpParams().set('limit', limit).set('offset', offset);
    return this.http.get<Page<User>>(`${API_BASE}/users`, { params });
  }

  getUser(id: number): Observable<User> {
    return this.http.get<User>(`${API_BASE}/users/${id}`);
  }

  createUser(user: NewUser): Observable<User> {
    return this.http.post<User>(`${API_BASE}/users`, user);
  }

  updateUser(id: number, changes: UserChanges): Observable<User> {
    return this.http.patch<User>(`${API_BASE}/users/${id}`, changes);
  }

  /** Sets a user's password; their sessions end. */
  setUserPassword(id: number, password: string): Observable<void> {
    return noContent(this.http.post(`${API_BASE}/users/${id}/password`, { password }));
  }

  /** Turns a user's two-factor login off (audited). */
  resetUserTotp(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/users/${id}/totp`));
  }

  totpStatus(): Observable<TotpStatus> {
    return this.http.get<TotpStatus>(`${API_BASE}/me/totp`);
  }

  /** A new secret; two-factor login is on only once a code confirms it. */
  startTotp(): Observable<TotpEnrolment> {
    return this.http.post<TotpEnrolment>(`${API_BASE}/me/totp`, {});
  }

  /** Turns two-factor login on; the answer's recovery codes are never shown again. */
  confirmTotp(code: string): Observable<{ readonly recoveryCodes: readonly string[] }> {
    return this.http.post<{ recoveryCodes: string[] }>(`${API_BASE}/me/totp/confirm`, { code });
  }

  disableTotp(password: string): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/me/totp`, { body: { password } }));
  }

  deleteUser(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/users/${id}`));
  }

  listGroups(): Observable<readonly Group[]> {
    return this.http.get<{ items: readonly Group[] }>(`${API_BASE}/groups`).pipe(map((body) => body.items));
  }

  createGroup(group: NewGroup): Observable<Group> {
    return this.http.post<Group>(`${API_BASE}/groups`, group);
  }

  updateGroup(id: number, changes: GroupChanges): Observable<Group> {
    return this.http.patch<Group>(`${API_BASE}/groups/${id}`, changes);
  }

  deleteGroup(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/groups/${id}`));
  }

  audit(query: AuditQuery): Observable<AuditPage> {
    return this.http.get<AuditPage>(`${API_BASE}/audit`, { params: auditParams(query) });
  }

  /** Every entry matching the filters as CSV (the server streams it). */
  exportAuditCsv(filters: AuditFilters): Observable<Blob> {
    return this.http
      .get(`${API_BASE}/audit`, {
        params: auditParams({ ...filters }).set('format', 'csv'),
        responseType: 'blob',
      })
      .pipe(withJsonErrors());
  }

  listFiles(query: FileListQuery): Observable<FileList> {
    const params = new HttpParams()
      .set('path', query.path)
      .set('sort', query.sort)
      .set('order', query.order)
      .set('offset', query.offset)
      .set('limit', query.limit);
    return this.http.get<FileList>(`${API_BASE}/files`, { params });
  }

  statFile(path: string): Observable<FileEntry> {
    return this.http.get<FileEntry>(`${API_BASE}/files/stat`, { params: { path } });
  }

  /** A file's bytes (`inline` for previews); a failure carries the server's JSON message. */
  fileContent(path: string, inline = false): Observable<Blob> {
    let params = new HttpParams().set('path', path);
    if (inline) params = params.set('inline', 'true');
    return this.http
      .get(`${API_BASE}/files/content`, { params, responseType: 'blob' })
      .pipe(withJsonErrors());
  }

  /**
   * Uploads one file as the raw body, with progress events. Unsubscribing aborts the request and the server
   * discards the partial file. `overwrite` false: 412 when the file exists.
   */
  uploadFile(path: string, file: Blob, overwrite: boolean): Observable<HttpEvent<FileEntry>> {
    const params = new HttpParams().set('path', path).set('overwrite', overwrite);
    return this.http.put<FileEntry>(`${API_BASE}/files/content`, file, {
      params,
      reportProgress: true,
      observe: 'events',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  mkdir(path: string): Observable<FileEntry> {
    return this.http.post<FileEntry>(`${API_BASE}/files/mkdir`, { path });
  }

  moveFile(from: string, to: string, overwrite = false): Observable<{ created: boolean }> {
    return this.http.post<{ created: boolean }>(`${API_BASE}/files/move`, { from, to, overwrite });
  }

  copyFile(from: string, to: string, overwrite = false): Observable<{ created: boolean }> {
    return this.http.post<{ created: boolean }>(`${API_BASE}/files/copy`, { from, to, overwrite });
  }

  /** Deletes a file, or a folder with everything in it. */
  deleteFile(path: string): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/files`, { params: { path } }));
  }

  usage(): Observable<Usage> {
    return this.http.get<Usage>(`${API_BASE}/me/usage`);
  }

  listShares(): Observable<readonly Share[]> {
    return this.http.get<{ items: readonly Share[] }>(`${API_BASE}/shares`).pipe(map((body) => body.items));
  }

  createShare(share: NewShare): Observable<Share> {
    return this.http.post<Share>(`${API_BASE}/shares`, share);
  }

  updateShare(id: number, changes: ShareChanges): Observable<Share> {
    return this.http.patch<Share>(`${API_BASE}/shares/${id}`, changes);
  }

  /** Deletes a share; it must be empty unless `force`, which sets its files aside on the server. */
  deleteShare(id: number, force = false): Observable<void> {
    const params: Record<string, string> = force ? { force: 'true' } : {};
    return noContent(this.http.delete(`${API_BASE}/shares/${id}`, { params }));
  }

  listAppPasswords(): Observable<readonly AppPassword[]> {
    return this.http
      .get<{ items: readonly AppPassword[] }>(`${API_BASE}/me/app-passwords`)
      .pipe(map((body) => body.items));
  }

  createAppPassword(name: string): Observable<CreatedAppPassword> {
    return this.http.post<CreatedAppPassword>(`${API_BASE}/me/app-passwords`, { name });
  }

  revokeAppPassword(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/me/app-passwords/${id}`));
  }

  // --- hardware ---

  raid(): Observable<RaidOverview> {
    return this.http.get<RaidOverview>(`${API_BASE}/raid`);
  }

  /** Two-step: without a token the server answers 428 CONFIRMATION_REQUIRED with one. */
  failRaidMember(array: string, device: string, confirmToken?: string): Observable<RaidArray> {
    return this.http.post<RaidArray>(
      `${API_BASE}/raid/arrays/${enc(array)}/members/${enc(device)}/fail`,
      confirmToken === undefined ? {} : { confirmToken },
    );
  }

  /** Two-step: without a token the server answers 428 CONFIRMATION_REQUIRED with one. */
  removeRaidMember(array: string, device: string, confirmToken?: string): Observable<RaidArray> {
    return this.http.delete<RaidArray>(`${API_BASE}/raid/arrays/${enc(array)}/members/${enc(device)}`, {
      params: confirmToken === undefined ? {} : { confirmToken },
    });
  }

  /** Two-step: without a token the server answers 428 CONFIRMATION_REQUIRED with one. */
  addRaidSpare(array: string, device: string, confirmToken?: string): Observable<RaidArray> {
    return this.http.post<RaidArray>(
      `${API_BASE}/raid/arrays/${enc(array)}/spares`,
      confirmToken === undefined ? { device } : { device, confirmToken },
    );
  }

  /** Two-step: without a token the server answers 428 CONFIRMATION_REQUIRED with one. */
  createRaidArray(array: NewRaidArray, confirmToken?: string): Observable<RaidArray> {
    return this.http.post<RaidArray>(
      `${API_BASE}/raid/arrays`,
      confirmToken === undefined ? array : { ...array, confirmToken },
    );
  }

  /** Two-step: without a token the server answers 428 CONFIRMATION_REQUIRED with one. */
  deleteRaidArray(array: string, confirmToken?: string): Observable<void> {
    return noContent(
      this.http.delete(`${API_BASE}/raid/arrays/${enc(array)}`, {
        params: confirmToken === undefined ? {} : { confirmToken },
      }),
    );
  }

  setRaidSpeedLimits(limits: RaidSpeedLimits): Observable<RaidSpeedLimits> {
    return this.http.put<RaidSpeedLimits>(`${API_BASE}/raid/speed-limits`, limits);
  }

  startRaidCheck(array: string): Observable<RaidArray> {
    return this.http.post<RaidArray>(`${API_BASE}/raid/arrays/${enc(array)}/check`, {});
  }

  stopRaidCheck(array: string): Observable<RaidArray> {
    return this.http.delete<RaidArray>(`${API_BASE}/raid/arrays/${enc(array)}/check`);
  }

  smartDevices(): Observable<{ readonly mode: HardwareMode; readonly devices: readonly SmartSummary[] }> {
    return this.http.get<{ mode: HardwareMode; devices: SmartSummary[] }>(`${API_BASE}/smart`);
  }

  smartReport(device: string): Observable<SmartReport> {
    return this.http.get<SmartReport>(`${API_BASE}/smart/${enc(device)}`);
  }

  startSelfTest(device: string, type: 'short' | 'long'): Observable<unknown> {
    return this.http.post(`${API_BASE}/smart/${enc(device)}/self-tests`, { type });
  }

  power(): Observable<PowerOverview> {
    return this.http.get<PowerOverview>(`${API_BASE}/power`);
  }

  setPowerProfile(name: PowerProfileName): Observable<unknown> {
    return this.http.put(`${API_BASE}/power/profile`, { name });
  }

  setGovernor(governor: string): Observable<unknown> {
    return this.http.put(`${API_BASE}/power/governor`, { governor });
  }

  setEnergyPerformancePreference(preference: string): Observable<unknown> {
    return this.http.put(`${API_BASE}/power/energy-performance-preference`, { preference });
  }

  /** Every CPU's min and max frequency, in hertz. */
  setFrequencyLimits(minHz: number, maxHz: number): Observable<unknown> {
    return this.http.put(`${API_BASE}/power/limits`, { minHz, maxHz });
  }

  fans(): Observable<FansOverview> {
    return this.http.get<FansOverview>(`${API_BASE}/fans`);
  }

  setFanCurve(id: string, curve: FanCurve, input: FanCurveInput): Observable<unknown> {
    return this.http.put(`${API_BASE}/fans/${enc(id)}/curve`, { curve, input });
  }

  setFanMode(id: string, mode: 'auto' | 'manual' | 'curve'): Observable<unknown> {
    return this.http.put(`${API_BASE}/fans/${enc(id)}/mode`, { mode });
  }

  telemetryHistory(metric: TelemetryMetric, range: TelemetryRange): Observable<TelemetryHistory> {
    const params = new HttpParams().set('metric', metric).set('range', range);
    return this.http.get<TelemetryHistory>(`${API_BASE}/telemetry/history`, { params });
  }

  // --- energy ---

  energy(): Observable<EnergyStatus> {
    return this.http.get<EnergyStatus>(`${API_BASE}/energy`);
  }

  energyHistory(range: TelemetryRange): Observable<TelemetryHistory> {
    const params = new HttpParams().set('range', range);
    return this.http.get<TelemetryHistory>(`${API_BASE}/energy/history`, { params });
  }

  energySettings(): Observable<EnergySettings> {
    return this.http.get<EnergySettings>(`${API_BASE}/energy/settings`);
  }

  updateEnergySettings(changes: EnergySettingsUpdate): Observable<EnergySettings> {
    return this.http.put<EnergySettings>(`${API_BASE}/energy/settings`, changes);
  }

  // --- scheduler ---

  schedulerJobs(): Observable<{ readonly items: readonly SchedulerJob[] }> {
    return this.http.get<{ items: SchedulerJob[] }>(`${API_BASE}/scheduler/jobs`);
  }

  updateSchedulerJob(
    job: string,
    changes: { readonly enabled?: boolean; readonly schedule?: string },
  ): Observable<SchedulerJobUpdated> {
    return this.http.patch<SchedulerJobUpdated>(`${API_BASE}/scheduler/jobs/${enc(job)}`, changes);
  }

  runSchedulerJob(job: string): Observable<{ readonly executionId: number }> {
    return this.http.post<{ executionId: number }>(`${API_BASE}/scheduler/jobs/${enc(job)}/run`, {});
  }

  schedulerExecutions(query: ExecutionQuery): Observable<ExecutionPage> {
    return this.http.get<ExecutionPage>(`${API_BASE}/scheduler/executions`, {
      params: auditParams(query),
    });
  }

  cancelExecution(id: number): Observable<SchedulerExecution> {
    return this.http.post<SchedulerExecution>(`${API_BASE}/scheduler/executions/${id}/cancel`, {});
  }

  retryExecution(id: number): Observable<{ readonly executionId: number }> {
    return this.http.post<{ executionId: number }>(`${API_BASE}/scheduler/executions/${id}/retry`, {});
  }

  // --- notifications, SMB ---

  notifications(limit = 10): Observable<NotificationPage> {
    return this.http.get<NotificationPage>(`${API_BASE}/notifications`, { params: { limit } });
  }

  markNotificationRead(id: number): Observable<AppNotification> {
    return this.http.post<AppNotification>(`${API_BASE}/notifications/${id}/read`, {});
  }

  markAllNotificationsRead(): Observable<{ readonly updated: number }> {
    return this.http.post<{ updated: number }>(`${API_BASE}/notifications/read-all`, {});
  }

  notificationChannels(): Observable<NotificationChannels> {
    return this.http.get<NotificationChannels>(`${API_BASE}/notifications/channels`);
  }

  setNotificationChannels(channels: NotificationChannelsInput): Observable<NotificationChannels> {
    return this.http.put<NotificationChannels>(`${API_BASE}/notifications/channels`, channels);
  }

  testNotificationChannels(): Observable<{ readonly results: readonly ChannelTestResult[] }> {
    return this.http.post<{ results: ChannelTestResult[] }>(`${API_BASE}/notifications/test`, {});
  }

  /** Every part of the server; `refresh` probes them all now instead of answering the latest sample. */
  services(refresh = false): Observable<readonly ServiceStatus[]> {
    const params: Record<string, string> = refresh ? { refresh: 'true' } : {};
    return this.http.get<ServiceStatus[]>(`${API_BASE}/services`, { params });
  }

  /** Restarts smbd and waits until it runs again. */
  restartSmb(): Observable<ServiceStatus> {
    return this.http.post<ServiceStatus>(`${API_BASE}/services/smb/restart`, {});
  }

  probeHardware(family: HardwareFamily): Observable<ServiceStatus> {
    return this.http.post<ServiceStatus>(`${API_BASE}/services/hardware/${family}/probe`, {});
  }

  smbSettings(): Observable<SmbSettings> {
    return this.http.get<SmbSettings>(`${API_BASE}/smb`);
  }

  updateSmbSettings(changes: Partial<SmbSettings>): Observable<SmbSettings> {
    return this.http.put<SmbSettings>(`${API_BASE}/smb`, changes);
  }

  smbStatus(): Observable<SmbStatus> {
    return this.http.get<SmbStatus>(`${API_BASE}/smb/status`);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment.replace(/^\/dev\//, ''));
}

/** 204 answers: no body, just completion. */
function noContent(request: Observable<unknown>): Observable<void> {
  return request.pipe(map(() => undefined));
}

function auditParams(query: AuditQuery | Record<string, string | number | undefined>): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query) as [string, string | number | undefined][]) {
    if (value !== undefined && value !== '') params = params.set(key, value);
  }
  return params;
}

/** For blob requests: errors carry the server's JSON body, parsed, like every other request's. */
function withJsonErrors<T>(): (source: Observable<T>) => Observable<T> {
  return (source) =>
    source.pipe(
      catchError((err: unknown) => from(withJsonErrorBody(err)).pipe(switchMap((e) => throwError(() => e)))),
    );
}

/** A blob request's error body arrives as a Blob: parse it so the error message can be shown. */
async function withJsonErrorBody(err: unknown): Promise<unknown> {
  if (!(err instanceof HttpErrorResponse) || !(err.error instanceof Blob)) return err;
  let body: unknown = null;
  try {
    body = JSON.parse(await err.error.text()) as unknown;
  } catch {
    // Not JSON (a proxy's error page): keep the status text only.
  }
  return new HttpErrorResponse({
    error: body,
    headers: err.headers,
    status: err.status,
    url: err.url ?? undefined,
  });
}

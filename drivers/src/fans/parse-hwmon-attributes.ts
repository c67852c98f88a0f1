/** The channels a hwmon chip directory offers, from its file names. */
export interface HwmonChannels {
  /** Indices N with `fanN_input` or `pwmN`, ascending. */
  readonly fans: readonly number[];
  /** Indices N with `pwmN`. */
  readonly pwms: readonly number[];
  /** Indices N with `tempN_input`, ascending. */
  readonly temps: readonly number[];
}

/** Groups hwmon attribute file names into fan, PWM and temperature channels (pure). */
export function parseHwmonAttributes(fileNames: readonly string[]): HwmonChannels {
  const fans = new Set<number>();
  const pwms = new Set<number>();
  const temps = new Set<number>();
  for (const name of fileNames) {
    const fan = /^fan(\d+)_input$/.exec(name);
    if (fan?.[1] !== undefined) fans.add(Number(fan[1]));
    const pwm = /^pwm(\d+)$/.exec(name);
    if (pwm?.[1] !== undefined) {
      pwms.add(Number(pwm[1]));
      fans.add(Number(pwm[1]));
    }
    const temp = /^temp(\d+)_input$/.exec(name);
    if (temp?.[1] !== undefined) temps.add(Number(temp[1]));
  }
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  return { fans: sorted(fans), pwms: sorted(pwms), temps: sorted(temps) };
}

/** Maps a `pwmN_enable` value to a mode: 0 full speed, 1 manual, 2 and above the chip's automatic modes. */
export function fanModeFromEnable(value: number | null): 'manual' | 'auto' | 'full' | 'unknown' {
  if (value === null) return 'unknown';
  if (value === 0) return 'full';
  if (value === 1) return 'manual';
  return 'auto';
}

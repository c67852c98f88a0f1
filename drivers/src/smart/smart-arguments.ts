import { DriverValidationError } from '../errors.js';
import { SMART_SELF_TEST_TYPES, type SmartSelfTestType } from './smart-driver.js';

const DEVICE_PATH = /^\/dev\/[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;

/**
 * Checks that `device` is a path under /dev (no `..`, nothing option-like) and returns it.
 * @throws DriverValidationError otherwise.
 */
export function checkDevicePath(device: string): string {
  if (!DEVICE_PATH.test(device) || device.includes('..')) {
    throw new DriverValidationError(`"${device}" is not a device path like /dev/sda`, {
      details: { device },
    });
  }
  return device;
}

/**
 * Checks a self-test type at run time (callers may pass unchecked input).
 * @throws DriverValidationError unless it is one of {@link SMART_SELF_TEST_TYPES}.
 */
export function checkSelfTestType(type: string): SmartSelfTestType {
  const known: readonly string[] = SMART_SELF_TEST_TYPES;
  if (!known.includes(type)) {
    throw new DriverValidationError(
      `self-test type must be ${SMART_SELF_TEST_TYPES.join(' or ')}, not "${type}"`,
    );
  }
  return type as SmartSelfTestType;
}

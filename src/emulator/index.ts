/**
 * A local identity server that behaves like Microsoft Entra ID's v2.0 endpoints, for
 * development, demos and tests: no tenant, no internet. See docs/cli-and-emulator.md.
 */
export { startEmulator } from './server.js'
export type { Emulator, EmulatorOptions, PendingDeviceCode } from './server.js'
export { DEFAULTS, DEFAULT_DAEMON_CERTIFICATE, defaultConfig, parseEmulatorConfig, EmulatorConfigSchema } from './config.js'
export type { EmulatorConfig, EmulatorConfigInput, ApiConfig, ClientConfig, TenantConfig, UserConfig } from './config.js'

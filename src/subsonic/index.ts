/**
 * The Subsonic drop-in (`segue subsonic`): an OpenSubsonic-compatible proxy in front of a
 * self-hosted music server (Navidrome, Gonic, Airsonic, Supysonic, Ampache, ...). Its library
 * becomes the catalog, its clients' scrobbles and playback reports become events, and Segue
 * answers radio, random songs, top songs, sonic similarity and three daily playlists itself.
 * See docs/subsonic.md.
 */
export { SubsonicProxy, SEGUE_EXTENSIONS, type ProxyOptions } from './proxy.js';
export { Library, trackOf, sameRecord, type SyncReport, type Child } from './library.js';
export { Auth, AUTH_CACHE_MS, type Login } from './auth.js';
export { Upstream, UpstreamDown, UPSTREAM_TIMEOUT_MS } from './upstream.js';
export { Playback, annotationEvents, EVENT_SOURCE, type RawEvent } from './playback.js';
export { GENERATED, GENERATED_LENGTH, LIBRARY_RADIO_QUIET_DAYS } from './playlists.js';
export { API_VERSION, encode, envelope, ErrorCode, SubsonicError } from './protocol.js';

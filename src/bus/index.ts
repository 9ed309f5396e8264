export { NatsBus, BusUnavailable, partitionOf, BATCH, ACK_WAIT_MS, PULL_EXPIRES_MS, DUPLICATE_WINDOW_MS, type BusOptions, type BusMessage, type StreamKind } from './nats.js';

/**
 * Retries and failover before the client sees a byte: an upstream transport decorator with
 * entries, key pools, health, and the commit gate. Wired by the filter; not a plugin SPI.
 */
package dev.sluice.failover;

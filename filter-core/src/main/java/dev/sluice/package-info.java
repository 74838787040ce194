/**
 * Sluice: a servlet filter that relays Anthropic {@code /v1/messages} to the upstream API.
 *
 * <p>{@link dev.sluice.SluiceFilter} is the entry point and {@link dev.sluice.SluiceConfig} its
 * settings; everything else in this package is internal. The upstream transport lives in
 * {@code dev.sluice.upstream}.
 */
package dev.sluice;

/**
 * Prices Anthropic usage in exact USD: {@link dev.sluice.cost.Pricing} and the shipped {@code
 * pricing.json} (verified date and source inside), which the {@code pricing-file} setting
 * overlays.
 */
package dev.sluice.cost;

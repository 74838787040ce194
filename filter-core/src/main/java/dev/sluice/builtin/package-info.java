/**
 * Hooks shipped with Sluice, each off unless named in the {@code hooks} setting:
 * {@code usage-log}, {@code cost-in-usage}, {@code model-alias}, {@code strip-empty-text}.
 */
package dev.sluice.builtin;

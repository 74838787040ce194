/**
 * The public plugin SPI: implement {@link dev.sluice.hook.Hook}, list it in
 * {@code META-INF/services/dev.sluice.hook.Hook}, and enable it by name in the {@code hooks}
 * setting.
 */
package dev.sluice.hook;

# Sluice: notice an HTTP/1.1 client that leaves, within milliseconds (sluice-disconnect-jetty).

[description]
Lets Sluice (dev.sluice.SluiceFilter) see at once an HTTP/1.1 client that closes its connection
while Sluice waits on upstream, so that the upstream request is cancelled at once. Puts
sluice-disconnect-jetty and filter-core on the server class path and makes the detector SPI
package (dev.sluice.client.) a protected class for web apps, so that the web app's own
filter-core and the detector share it.

[tags]
sluice

[depends]
server
ee-webapp

[lib]
lib/sluice/*.jar

[ini]
jetty.server.addProtectedClasses+=,dev.sluice.client.

// The answer to a client's first PROPREQ (§6.2): server type, protocol, update interval and the
// web/mail settings. The RoomServer must send the same web settings as the UserServer, because the
// client reads them from whichever connection is most recent (AG-8).

import { PROTOCOL_VERSION, SERVER_PSEUDO_USER, Var } from '../protocol/constants.js';
import { serverProp } from '../protocol/messages.js';
import type { NewProp } from '../protocol/props.js';
import type { HttpSettings } from './config-common.js';

/** Order as the real servers sent it: 8, 27, 26, 25, 24, (29), 15, 3, 1 (§6.2). */
export function buildServerProps(
  http: Readonly<HttpSettings>,
  serverType: number,
  updateIntervalUs: number | null,
): NewProp[] {
  const props: NewProp[] = [];
  if (updateIntervalUs !== null) props.push(serverProp(Var.UPDATETIME, String(updateIntervalUs)));
  if (http.mailDomain) props.push(serverProp(Var.MAIL_DOMAIN, http.mailDomain));
  if (http.smtp) props.push(serverProp(Var.SMTP_SERVER, http.smtp));
  if (http.script) props.push(serverProp(Var.SCRIPT_SERVER, http.script));
  if (http.external) props.push(serverProp(Var.EXTERNAL_HTTP_SERVER, http.external));
  if (http.internal) props.push(serverProp(Var.INTERNAL_HTTP_SERVER, http.internal));
  props.push(
    serverProp(Var.SERVERTYPE, String(serverType)),
    serverProp(Var.PROTOCOL, String(PROTOCOL_VERSION)),
    serverProp(Var.APPNAME, SERVER_PSEUDO_USER),
  );
  return props;
}

// The codeword e-mail, sent through the SMTP server the configuration names (`SmtpServer
// host[:port]`, which clients also get as property 26) from an address in `MailDomain`, with
// nodemailer. STARTTLS is used when the server offers it. Every step has a timeout, so a mail
// server that stalls costs one sign-up request its answer, never the UserServer anything more.

import { hostname } from 'node:os';
import nodemailer from 'nodemailer';

export interface CodewordMail {
  to: string;
  codeword: string;
  serverName: string;
  validMinutes: number;
}

export interface MailSender {
  send(m: CodewordMail): Promise<void>;
}

const CONNECT_MS = 10_000;
const SOCKET_MS = 20_000;

export function smtpAddress(smtp: string): { host: string; port: number } | null {
  const m = /^([^\s:]+)(?::(\d{1,5}))?$/.exec(smtp);
  if (!m) return null;
  const port = m[2] === undefined ? 25 : Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1] as string, port } : null;
}

export function codewordText(m: CodewordMail): string {
  return [
    `Your codeword for ${m.serverName} is: ${m.codeword}`,
    '',
    'In WorldsPlayer, type it into the Codeword box of the New User screen and press Next.',
    `It is valid for ${m.validMinutes} minutes. If you did not ask for it, ignore this message.`,
    '',
  ].join('\n');
}

/** A sender for the SmtpServer and MailDomain given; null without an SmtpServer. */
export function smtpSender(smtp: string | null, mailDomain: string | null): MailSender | null {
  if (smtp === null) return null;
  const at = smtpAddress(smtp);
  if (!at) throw new Error(`SmtpServer ${smtp} is not host or host:port`);
  const transport = nodemailer.createTransport({
    host: at.host,
    port: at.port,
    secure: at.port === 465,
    connectionTimeout: CONNECT_MS,
    greetingTimeout: CONNECT_MS,
    socketTimeout: SOCKET_MS,
  });
  const from = `registration@${mailDomain ?? hostname()}`;
  return {
    async send(m) {
      await transport.sendMail({
        from: `"${m.serverName} registration" <${from}>`,
        to: m.to,
        subject: `Your codeword for ${m.serverName}`,
        text: codewordText(m),
      });
    },
  };
}

// New User as the real client does it (protocol/signup.ts; LoginWizard in the decompiled client).
import t from 'tap';
import {
  codewordUrl,
  firstLine,
  isDirectSerial,
  registerUrl,
  scriptBase,
  serialFromAnswer,
} from '../../protocol/signup.js';

t.test('URLs as the client builds them: a / added to the script server, the codeword unencoded', async (t) => {
  t.equal(scriptBase('http://w.example/cgi-bin'), 'http://w.example/cgi-bin/');
  t.equal(scriptBase('http://w.example/cgi-bin/'), 'http://w.example/cgi-bin/');
  t.equal(registerUrl('http://w.example/cgi-bin', '1394563'), 'http://w.example/cgi-bin/register.pl?id=1394563');
  t.equal(
    codewordUrl('http://w.example:8080/cgi-bin/', '1394563', 'AB3DE4'),
    'http://w.example:8080/cgi-bin/codeword.pl?id=1394563&codeword=AB3DE4',
  );
});

t.test('a codeword longer than 6 characters is the serial itself', async (t) => {
  t.notOk(isDirectSerial('ABC234'));
  t.ok(isDirectSerial('QAQA123456789012'));
});

t.test('the answer: the first line, read as DataInputStream.readLine reads it', async (t) => {
  t.equal(firstLine(Buffer.from('1,0,QAQA123456789012\nrest')), '1,0,QAQA123456789012');
  t.equal(firstLine(Buffer.from('1,1,S\r\n')), '1,1,S');
  t.equal(firstLine(Buffer.from('0,1,no\r')), '0,1,no');
  t.equal(firstLine(Buffer.from('no newline')), 'no newline');
  t.equal(firstLine(Buffer.alloc(0)), null);
  t.equal(serialFromAnswer('1,0,QAQA123456789012'), 'QAQA123456789012');
  t.equal(serialFromAnswer('1,1,QAQA123456789012'), 'QAQA123456789012');
  t.equal(serialFromAnswer('0,1,no such codeword'), null);
  t.equal(serialFromAnswer('<html>'), null);
});

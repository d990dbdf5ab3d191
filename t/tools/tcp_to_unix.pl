# tcp_to_unix.pl: listen on 127.0.0.1:PORT and carry each connection to the
# Unix socket SOCKET: how a client in a network namespace of its own
# (unshare -rn) reaches a server outside it.  A connection ends when either
# side closes.
#   perl tcp_to_unix.pl PORT SOCKET
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;

my ($port, $path) = @ARGV;
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
	Listen => 64, ReuseAddr => 1) or die "tcp_to_unix: cannot listen on $port: $!\n";
$SIG{CHLD} = 'IGNORE';

while (1)
{
	my $client = $listen->accept or next;
	my $pid = fork;
	die "tcp_to_unix: fork: $!\n" unless defined $pid;
	if ($pid)
	{
		close $client;
		next;
	}
	close $listen;
	my $server = IO::Socket::UNIX->new(Peer => $path) or exit 0;
	my $sel = IO::Select->new($client, $server);
	while (1)
	{
		for my $from ($sel->can_read)
		{
			my $to = $from == $client ? $server : $client;
			my $n = sysread($from, my $buf, 65536);
			exit 0 unless $n;
			while (length $buf)
			{
				my $w = syswrite($to, $buf) or exit 0;
				substr($buf, 0, $w) = '';
			}
		}
	}
}

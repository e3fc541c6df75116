# The log writer of one container, started by its shim: reads the container's output FIFOs until
# every writer closed them and appends CRI log lines to the log file
# (2016-10-06T00:17:09.669794000Z stdout F text): F for a line ended by a newline, P for each
# 16 KiB of a longer one and for what is left without a newline at the end of a stream. The lines
# of one read go to the file with one write(2), so the file only ever holds whole CRI lines; the
# file is opened for each write, so a log rotated by renaming continues in a new file.
#
# It also serves attaches on a unix socket: each client gets what the container prints from then
# on, as it is read (after it went to the log), and may write to the container's stdin. Because the
# writer, not the JVM, holds the stdin FIFO's write end, attaches work across JVM restarts.
#
# Arguments: the log file, then <stream>=<fifo> for each output stream (stdout, stderr), and
# optionally stdin=<fifo> (held open for writing: the container's stdin ends only when this
# writer closes it), input=open|once (whether attaches may write to stdin; once: stdin is closed
# when the first client that wrote to it detaches, as Docker's StdinOnce) and attach=<socket path>.
# Prints "ready" on stdout once it holds every FIFO and listens, so the shim knows it may close
# its own ends.
#
# The attach protocol: the client sends one line, "attach" or "attach stdin"; the writer answers
# "ok" or "error <message>" (then closes). After ok both send frames: one byte for the stream,
# four bytes of length (big-endian), the bytes. The writer sends 1 (stdout) and 2 (stderr); the
# client sends 0 (stdin) and 3 with no bytes for the end of its input (kubectl's stdin ended);
# that end, or its disconnect, is its detach from stdin. When both output streams
# ended the writer sends what it still holds and closes every client. A client that falls more than
# 4 MiB behind is dropped: the container never waits for a client.
use strict;
use warnings;
use Time::HiRes qw(gettimeofday);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);

use constant MAX_LINE => 16 * 1024;
# Linux's values (x86_64, aarch64), so as not to load Socket: it costs every writer 0.7 MiB.
use constant { PF_UNIX => 1, SOCK_STREAM => 1 };
use constant MAX_BEHIND => 4 * 1024 * 1024;
use constant MAX_INPUT => 64 * 1024;

$SIG{PIPE} = $SIG{HUP} = 'IGNORE';
my ($log, @args) = @ARGV;
my (%name, %pending, %handle, %option);
my %stream_id = (stdout => 1, stderr => 2);
my $all = '';
for my $arg (@args) {
    my ($key, $value) = split /=/, $arg, 2;
    if (exists $stream_id{$key}) {
        open(my $fh, '<:raw', $value) or die "cannot open $value: $!\n";
        $name{fileno $fh} = $key;
        $pending{fileno $fh} = '';
        $handle{fileno $fh} = $fh;
        vec($all, fileno $fh, 1) = 1;
    } else {
        $option{$key} = $value;
    }
}
my $input = $option{input} // '';
my ($stdin, $listener);
my $to_stdin = '';
my $stdin_closing = 0;
if (defined $option{stdin}) {
    # read and write: opening never waits for the container, and writes never fail with EPIPE
    open($stdin, '+<:raw', $option{stdin}) or die "cannot open $option{stdin}: $!\n";
    nonblocking($stdin);
}
if (defined $option{attach}) {
    unlink $option{attach};
    socket($listener, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
    bind($listener, pack('S Z108', PF_UNIX, $option{attach})) or die "cannot bind $option{attach}: $!\n";
    listen($listener, 16) or die "listen: $!\n";
    nonblocking($listener);
}
# fd -> { fh, in (what it sent, not yet taken), attached, stdin (it may write to stdin), out, closing }
my %clients;
$| = 1;
print "ready\n";
close STDOUT;

sub nonblocking {
    my ($fh) = @_;
    my $flags = fcntl($fh, F_GETFL, 0) or die "fcntl: $!\n";
    fcntl($fh, F_SETFL, $flags | O_NONBLOCK) or die "fcntl: $!\n";
}

# gettimeofday has microseconds: exact, where a floating-point clock_gettime is not. (No POSIX
# strftime: that module costs every writer 1.5 MB.)
sub timestamp {
    my ($seconds, $micros) = gettimeofday();
    my @t = gmtime $seconds;
    return sprintf('%04d-%02d-%02dT%02d:%02d:%02d.%06d000Z', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0], $micros);
}

sub append {
    my ($bytes) = @_;
    my $out;
    unless (open($out, '>>:raw', $log)) {
        warn "cannot open the log $log: $!\n";
        return;
    }
    while (length $bytes) {
        my $written = syswrite($out, $bytes);
        unless (defined $written) {
            warn "cannot write the log $log: $!\n";
            last;
        }
        substr($bytes, 0, $written, '');
    }
    close $out;
}

sub close_stdin {
    close $stdin;
    undef $stdin;
    $to_stdin = '';
}

sub drop {
    my ($fd) = @_;
    my $client = delete $clients{$fd};
    close $client->{fh};
    # only an attach that wrote to stdin uses up a stdinOnce stdin: one the kubelet opened and closed
    # again because the client's upgrade failed (kubectl then retries) leaves it open
    end_input($client) if $client->{used};
}

# StdinOnce: the first client with stdin whose input ends closes it, after what it wrote
sub end_input {
    my ($client) = @_;
    return unless $client->{stdin};
    $client->{stdin} = 0;
    if ($input eq 'once' && $stdin) {
        $stdin_closing = 1;
        close_stdin() unless length $to_stdin;
    }
}

sub answer {
    my ($client, $line) = @_;
    $line =~ s/\r?\n$//;
    if ($line eq 'attach' || $line eq 'attach stdin') {
        my $wants = $line eq 'attach stdin';
        my $problem = !$wants ? ''
            : $input ne 'open' && $input ne 'once' ? 'the container was not created with stdin: true'
            : !$stdin || $stdin_closing ? 'the container\'s stdin is closed (stdinOnce: its first attach has ended)'
            : '';
        if (length $problem) {
            $client->{out} = "error $problem\n";
            $client->{closing} = 1;
        } else {
            $client->{out} = "ok\n";
            $client->{attached} = 1;
            $client->{stdin} = $wants;
        }
    } else {
        $client->{out} = "error unknown request\n";
        $client->{closing} = 1;
    }
}

sub read_client {
    my ($fd) = @_;
    my $client = $clients{$fd};
    my $read = sysread($client->{fh}, my $data, 65536);
    return if !defined $read && ($!{EINTR} || $!{EAGAIN});
    unless ($read) {
        drop($fd);
        return;
    }
    $client->{in} .= $data;
    if (!$client->{attached}) {
        return if $client->{closing};
        my $end = index($client->{in}, "\n");
        if ($end < 0) {
            drop($fd) if length $client->{in} > 1024;
            return;
        }
        answer($client, substr($client->{in}, 0, $end + 1, ''));
        return unless $client->{attached};
    }
    while (length $client->{in} >= 5) {
        my ($stream, $length) = unpack('CN', $client->{in});
        last if length $client->{in} < 5 + $length;
        my $bytes = substr($client->{in}, 0, 5 + $length, '');
        next unless $client->{stdin};
        $client->{used} = 1;
        if ($stream == 0) {
            $to_stdin .= substr($bytes, 5) if $stdin && !$stdin_closing;
        } elsif ($stream == 3) {
            end_input($client);
        }
    }
}

sub write_client {
    my ($fd) = @_;
    my $client = $clients{$fd};
    my $written = syswrite($client->{fh}, $client->{out});
    if (!defined $written) {
        drop($fd) unless $!{EINTR} || $!{EAGAIN};
        return;
    }
    substr($client->{out}, 0, $written, '');
    drop($fd) if $client->{closing} && !length $client->{out};
}

sub broadcast {
    my ($stream, $chunk) = @_;
    my $frame = pack('CN', $stream_id{$stream}, length $chunk) . $chunk;
    for my $fd (keys %clients) {
        my $client = $clients{$fd};
        next unless $client->{attached};
        $client->{out} .= $frame;
        if (length $client->{out} > MAX_BEHIND) {
            warn "an attached client fell behind: dropped\n";
            drop($fd);
        }
    }
}

while (%handle) {
    my $ready = $all;
    my $writable = '';
    if ($listener) {
        vec($ready, fileno $listener, 1) = 1;
        for my $fd (keys %clients) {
            my $client = $clients{$fd};
            # a stdin client is not read while the container has not taken what it sent
            vec($ready, $fd, 1) = 1 unless $client->{stdin} && length $to_stdin >= MAX_INPUT;
            vec($writable, $fd, 1) = 1 if length $client->{out};
        }
    }
    vec($writable, fileno $stdin, 1) = 1 if $stdin && length $to_stdin;
    my $n = select($ready, $writable, undef, undef);
    if ($n < 0) {
        next if $!{EINTR};
        die "select: $!\n";
    }
    for my $fd (keys %handle) {
        next unless vec($ready, $fd, 1);
        my $read = sysread($handle{$fd}, my $chunk, 65536);
        next if !defined $read && $!{EINTR};
        my $time = timestamp();
        my $prefix = "$time $name{$fd} ";
        my $out = '';
        if ($read) {
            $pending{$fd} .= $chunk;
            while ($pending{$fd} =~ /\n/ || length $pending{$fd} >= MAX_LINE) {
                my $end = index($pending{$fd}, "\n");
                if ($end >= 0 && $end < MAX_LINE) {
                    $out .= $prefix . 'F ' . substr($pending{$fd}, 0, $end + 1, '');
                } else {
                    $out .= $prefix . 'P ' . substr($pending{$fd}, 0, MAX_LINE, '') . "\n";
                }
            }
        } else {
            # end of the stream (or an error reading it): what is left is an unfinished line
            $out .= $prefix . 'P ' . $pending{$fd} . "\n" if length $pending{$fd};
            vec($all, $fd, 1) = 0;
            close $handle{$fd};
            delete $handle{$fd};
        }
        # the log first: an attach never costs the log a line
        append($out) if length $out;
        broadcast($name{$fd}, $chunk) if $read && %clients;
    }
    if ($stdin && vec($writable, fileno $stdin, 1)) {
        my $written = syswrite($stdin, $to_stdin);
        substr($to_stdin, 0, $written, '') if defined $written;
        close_stdin() if $stdin_closing && !length $to_stdin;
    }
    next unless $listener;
    for my $fd (keys %clients) {
        write_client($fd) if $clients{$fd} && vec($writable, $fd, 1);
        read_client($fd) if $clients{$fd} && vec($ready, $fd, 1);
    }
    if (vec($ready, fileno $listener, 1) && accept(my $fh, $listener)) {
        nonblocking($fh);
        $clients{fileno $fh} = { fh => $fh, in => '', out => '' };
    }
}

# The container is gone: the clients get what is left (for at most 5 s), then their end.
if ($listener) {
    close $listener;
    unlink $option{attach};
    my $deadline = time + 5;
    while (grep { length $clients{$_}{out} } keys %clients) {
        last if time > $deadline;
        my $writable = '';
        vec($writable, $_, 1) = 1 for grep { length $clients{$_}{out} } keys %clients;
        next unless select(undef, $writable, undef, 0.5) > 0;
        for my $fd (keys %clients) {
            write_client($fd) if $clients{$fd} && vec($writable, $fd, 1);
        }
    }
    close $clients{$_}{fh} for keys %clients;
}

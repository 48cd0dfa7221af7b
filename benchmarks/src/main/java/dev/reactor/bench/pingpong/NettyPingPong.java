package dev.reactor.bench.pingpong;

import dev.reactor.bench.Samples;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The same TCP ping-pong through Netty's native epoll transport: two event-loop threads (one
 * each for pinger and ponger), TCP_NODELAY, a message of {@code size} bytes each way. Block is
 * Netty's default select strategy (epoll_wait with a timeout); spin is its busy-wait strategy
 * ({@link SelectStrategy#BUSY_WAIT}: epoll_wait(0) in a native loop).
 */
final class NettyPingPong {
    private NettyPingPong() { }

    static Samples run(Config cfg) throws Exception {
        if (!cfg.transport().equals("tcp")) throw new IllegalArgumentException("netty: transport 'tcp' only");
        if (!Epoll.isAvailable()) throw new IllegalStateException("netty epoll unavailable", Epoll.unavailabilityCause());
        IoHandlerFactory factory = cfg.spin()
                ? EpollIoHandler.newFactory(0, () -> (selectSupplier, hasTasks) -> SelectStrategy.BUSY_WAIT)
                : EpollIoHandler.newFactory();
        EventLoopGroup pingLoop = new MultiThreadIoEventLoopGroup(1, factory);
        EventLoopGroup pongLoop = new MultiThreadIoEventLoopGroup(1, factory);
        Samples samples = new Samples(cfg.iterations());
        CountDownLatch finished = new CountDownLatch(1);
        // Handlers are built by ChannelInitializers on their own event-loop threads, so the two
        // sides' mutable state does not share cache lines (see SideThread).
        AtomicReference<Pinger> pinger = new AtomicReference<>();
        CountDownLatch accepted = new CountDownLatch(1);
        try {
            Channel server = new ServerBootstrap()
                    .group(pongLoop, pongLoop)
                    .channel(EpollServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new Ponger(cfg.size(), accepted));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            Channel client = new Bootstrap()
                    .group(pingLoop)
                    .channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override protected void initChannel(Channel ch) {
                            Pinger p = new Pinger(cfg, samples, finished);
                            pinger.set(p);
                            ch.pipeline().addLast(p);
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            // Close the listener only once the connection is accepted (closing it earlier resets
            // a connection still in the accept queue); the ponger's loop then serves that one only.
            accepted.await();
            server.close().sync();
            finished.await();
            client.close().sync();
        } finally {
            pingLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            pongLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (pinger.get().failure != null) throw new Exception(pinger.get().failure);
        return samples;
    }

    private static ByteBuf message(int size) {
        ByteBuf b = Unpooled.directBuffer(size);
        for (int i = 0; i < size; i++) b.writeByte(0x5a);
        return b;
    }

    private static final class Pinger extends ChannelInboundHandlerAdapter {
        private final Config cfg;
        private final Samples samples;
        private final CountDownLatch finished;
        private final ByteBuf out;
        private final int total;
        private int got, done;
        private long sentAt;
        volatile Throwable failure;

        Pinger(Config cfg, Samples samples, CountDownLatch finished) {
            this.cfg = cfg;
            this.samples = samples;
            this.finished = finished;
            this.out = message(cfg.size());
            this.total = cfg.total();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            sentAt = System.nanoTime();
            ctx.writeAndFlush(out.retainedDuplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            got += b.readableBytes();
            b.release();
            if (got < cfg.size()) return;
            long now = System.nanoTime();
            got = 0;
            if (done >= cfg.warmup()) samples.record(now - sentAt);
            if (++done == total) {
                finished.countDown();
            } else {
                send(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause;
            finished.countDown();
        }
    }

    private static final class Ponger extends ChannelInboundHandlerAdapter {
        private final int size;
        private final ByteBuf out;
        private final CountDownLatch accepted;
        private int got;

        Ponger(int size, CountDownLatch accepted) {
            this.size = size;
            this.out = message(size);
            this.accepted = accepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.countDown();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            got += b.readableBytes();
            b.release();
            if (got < size) return;
            got = 0;
            ctx.writeAndFlush(out.retainedDuplicate(), ctx.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

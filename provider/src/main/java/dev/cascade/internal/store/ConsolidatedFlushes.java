package dev.cascade.internal.store;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;

/**
 * Lets the commands that many threads send on one shared connection leave in one socket write.
 *
 * <p>Lettuce flushes after every command. A caller outside the event loop hands its command over as
 * a task; with 16 threads on one connection, dozens of such tasks wait in the event loop's queue,
 * and each one's flush is a {@code write()} system call of its own that Redis then reads on its
 * own. This handler, at the head of every connection's pipeline, flushes at once when no other task
 * waits (a lone caller pays nothing), and otherwise once, after the tasks queued so far: their
 * commands go out together. Netty's {@code FlushConsolidationHandler} does the latter always, which
 * costs a lone caller an extra task hop per command.
 */
final class ConsolidatedFlushes implements NettyCustomizer {

  @Override
  public void afterChannelInitialized(Channel channel) {
    channel.pipeline().addFirst(new Handler());
  }

  private static final class Handler extends ChannelDuplexHandler {

    private boolean flushScheduled;
    private ChannelHandlerContext context;
    private final Runnable flushTask =
        () -> {
          flushScheduled = false;
          context.flush();
        };

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      context = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (flushScheduled) {
        return; // the scheduled flush runs after this write and sends it
      }
      if (othersWaiting(ctx.executor())) {
        flushScheduled = true;
        ctx.executor().execute(flushTask);
      } else {
        ctx.flush();
      }
    }

    private static boolean othersWaiting(EventExecutor executor) {
      return executor instanceof SingleThreadEventExecutor
          && ((SingleThreadEventExecutor) executor).pendingTasks() > 0;
    }
  }
}

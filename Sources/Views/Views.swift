/// Views placeholder.
public enum ViewsModule {}

package io.hopgate.control;

public final class Main {
    public static void main(String[] args) {
        System.out.println("hopgate");
    }
}

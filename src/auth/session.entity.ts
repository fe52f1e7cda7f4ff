import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from "typeorm";
import { UserEntity } from "../users/user.entity";

/** A signed-in user's bearer token, kept only as a keyed digest. */
@Entity({ name: "sessions" })
@Unique("sessions_token_digest_key", ["tokenDigest"])
@Index("sessions_user_id_idx", ["userId"])
export class SessionEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "sessions_pkey" })
  id!: string;

  @Column({ name: "user_id", type: "uuid" })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "sessions_user_id_fkey" })
  user?: UserEntity;

  @Column({ name: "token_digest", type: "bytea" })
  tokenDigest!: Buffer;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  /** Sessions expire after a period of idleness measured from here. */
  @Column({ name: "last_used_at", type: "timestamptz", precision: 3, default: () => "now()" })
  lastUsedAt!: Date;
}
